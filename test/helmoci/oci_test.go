package helmoci

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/distribution/distribution/v3/configuration"
	dregistry "github.com/distribution/distribution/v3/registry"
	_ "github.com/distribution/distribution/v3/registry/storage/driver/inmemory" // the registry's storage
	"helm.sh/helm/v4/pkg/chart/common"
	chartv2 "helm.sh/helm/v4/pkg/chart/v2"
	chartutil "helm.sh/helm/v4/pkg/chart/v2/util"
	"helm.sh/helm/v4/pkg/downloader"
	"helm.sh/helm/v4/pkg/getter"
	"helm.sh/helm/v4/pkg/registry"
	"sigs.k8s.io/yaml"

	"github.com/wavecheck/wavecheck/internal/testfs"
	"github.com/wavecheck/wavecheck/plugin/render"
)

// startRegistry starts distribution's registry, in memory, on 127.0.0.1 and returns host:port.
func startRegistry(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	cfg := &configuration.Configuration{}
	cfg.HTTP.Addr = addr
	cfg.HTTP.DrainTimeout = time.Second
	cfg.Storage = configuration.Storage{"inmemory": configuration.Parameters{}}
	cfg.Log.Level = "error"
	cfg.Log.AccessLog.Disabled = true
	reg, err := dregistry.NewRegistry(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = reg.ListenAndServe() }()
	t.Cleanup(func() { _ = reg.Shutdown(context.Background()) })
	for i := 0; ; i++ {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			_ = c.Close()
			return addr
		}
		if i > 500 {
			t.Fatalf("registry on %s never listened: %v", addr, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func depChart(name, version string) *chartv2.Chart {
	return &chartv2.Chart{
		Metadata: &chartv2.Metadata{APIVersion: chartv2.APIVersionV2, Name: name, Version: version, Type: "application"},
		Templates: []*common.File{{
			Name: "templates/cm.yaml",
			Data: fmt.Appendf(nil, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-%s\n", name),
		}},
	}
}

func registryClient(t *testing.T) *registry.Client {
	t.Helper()
	rc, err := registry.NewClient(registry.ClientOptPlainHTTP(), registry.ClientOptWriter(io.Discard),
		registry.ClientOptCredentialsFile(filepath.Join(t.TempDir(), "config.json")))
	if err != nil {
		t.Fatal(err)
	}
	return rc
}

// push saves an SDK-made chart archive and pushes it to host/charts/name:version.
func push(t *testing.T, c *chartv2.Chart, host string) {
	t.Helper()
	p, err := chartutil.Save(c, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := registryClient(t).Push(data, fmt.Sprintf("%s/charts/%s:%s", host, c.Name(), c.Metadata.Version)); err != nil {
		t.Fatalf("push %s: %v", c.Name(), err)
	}
}

// umbrella writes root/apps/app depending on deps; with lock, Chart.lock is Helm's own
// (Manager.Update in a scratch copy).
func umbrella(t *testing.T, root string, deps []*chartv2.Dependency, lock bool) string {
	t.Helper()
	dir := filepath.Join(root, "apps", "app")
	data, err := yaml.Marshal(chartv2.Metadata{APIVersion: chartv2.APIVersionV2, Name: "app", Version: "1.0.0", Dependencies: deps})
	if err != nil {
		t.Fatal(err)
	}
	testfs.Write(t, dir, map[string]string{
		"Chart.yaml":        string(data),
		"templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-own\n",
	})
	if !lock {
		return dir
	}
	scratch := t.TempDir()
	testfs.Write(t, scratch, map[string]string{"Chart.yaml": string(data)})
	m := &downloader.Manager{Out: io.Discard, ChartPath: scratch, Getters: getter.Getters(), RegistryClient: registryClient(t),
		RepositoryConfig: filepath.Join(t.TempDir(), "none.yaml"), RepositoryCache: t.TempDir(), ContentCache: t.TempDir()}
	if err := m.Update(); err != nil {
		t.Fatalf("make Chart.lock: %v", err)
	}
	lockData, err := os.ReadFile(filepath.Join(scratch, "Chart.lock"))
	if err != nil {
		t.Fatal(err)
	}
	testfs.Write(t, dir, map[string]string{"Chart.lock": string(lockData)})
	return dir
}

func tree(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		out = append(out, fmt.Sprintf("%s %d", p, fi.Size()))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestHelmDependenciesOCI: a dependency from an OCI registry on 127.0.0.1, locked or resolved
// from a range; a version the registry does not hold is a one-line error naming it; the
// repository is never written; a locked build is cached and then served offline.
func TestHelmDependenciesOCI(t *testing.T) {
	host := startRegistry(t)
	push(t, depChart("ocidep", "1.2.3"), host)
	cache := t.TempDir()
	deps := func(v string) render.Dependencies {
		return render.Dependencies{Fetch: true, CacheDir: cache, PlainHTTP: true,
			RepositoryConfig: filepath.Join(t.TempDir(), "none.yaml"), RegistryConfig: filepath.Join(t.TempDir(), "config.json")}
	}
	tests := []struct {
		name    string
		version string
		lock    bool
		err     string
	}{
		{"locked", "1.2.3", true, ""},
		{"range without lock", "^1.0.0", false, ""},
		{"missing version", "2.0.0", false, "apps/app/Chart.yaml: chart app: build dependency ocidep 2.0.0 from oci://" + host + "/charts"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			testfs.Write(t, root, map[string]string{".git/HEAD": "ref: refs/heads/main\n"})
			d := deps(tt.version)
			dir := umbrella(t, root, []*chartv2.Dependency{{Name: "ocidep", Version: tt.version, Repository: "oci://" + host + "/charts"}}, tt.lock)
			before := tree(t, root)
			res, err := render.Render(context.Background(), dir, render.Options{Dependencies: d})
			if after := tree(t, root); !slices.Equal(before, after) {
				t.Errorf("render wrote into the repository:\nbefore %v\nafter  %v", before, after)
			}
			if tt.err != "" {
				testfs.OneLineError(t, err, tt.err)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, o := range res.Objects {
				names = append(names, o.Name())
			}
			slices.Sort(names)
			if got := strings.Join(names, " "); got != "app-ocidep app-own" {
				t.Errorf("objects %q, want app-ocidep app-own", got)
			}
			if tt.lock {
				d.Fetch = false
				if _, err := render.Render(context.Background(), dir, render.Options{Dependencies: d}); err != nil {
					t.Errorf("offline render of the cached build: %v", err)
				}
			}
		})
	}
}
