package conformance_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/argoproj/argo-cd/v3/pkg/apis/application/v1alpha1"
	"github.com/argoproj/argo-cd/v3/reposerver/apiclient"
	"github.com/argoproj/argo-cd/v3/reposerver/repository"
	"github.com/argoproj/argo-cd/v3/util/argo"
	"github.com/argoproj/argo-cd/v3/util/git"
	utilio "github.com/argoproj/argo-cd/v3/util/io"
	"github.com/google/go-cmp/cmp"
	log "github.com/sirupsen/logrus"
	"k8s.io/apimachinery/pkg/api/resource"
	"sigs.k8s.io/yaml"

	"github.com/wavecheck/wavecheck/internal/pipeline"
	"github.com/wavecheck/wavecheck/internal/testtools"
	"github.com/wavecheck/wavecheck/plugin/render"
)

// The repositories the oracle Applications name, and their checkouts under testdata/oracle.
var oracleRepos = map[string]string{
	"https://git.example.com/shop.git":   "repo",
	"https://git.example.com/values.git": "values-repo",
}

// oracleKubeVersion is the cluster version both sides are given (Argo CD always passes the
// destination cluster's version to the repo-server).
const oracleKubeVersion = "1.34.2"

// TestApplicationRenderingOracle renders every Application under testdata/oracle/apps twice: with
// wavecheck (internal/pipeline.RenderApplication, what `validate --application` lints) and with
// Argo CD v3.6.1's repo-server code in-process (reposerver/repository.GenerateManifests, which
// applies .argocd-source files through GetAppSourceType, execs helm and kustomize as the
// repo-server image does, and reads plain directories itself), and requires the same objects.
// The Applications cover every Helm, Kustomize and directory setting wavecheck reads, and a
// multi-source Application with a $values ref (argo.GetRefSources, as the controller builds it).
//
// helm v4.3.1 and kustomize v5.8.3 (test/tools/build.sh, the versions of Argo CD's
// hack/tool-versions.sh) come from WAVECHECK_TOOLS_BIN; the Makefile's e2e-conformance sets it.
func TestApplicationRenderingOracle(t *testing.T) {
	bin := filepath.Dir(testtools.Bins(t, "helm", "kustomize")[0])
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	// Helm's own state (repositories, cache) stays out of the home directory.
	home := t.TempDir()
	for _, v := range []string{"HELM_CACHE_HOME", "HELM_CONFIG_HOME", "HELM_DATA_HOME"} {
		t.Setenv(v, filepath.Join(home, strings.ToLower(v)))
	}
	// No plugin sockets: discovery falls back to the file walk, as for a native source.
	t.Setenv("ARGOCD_PLUGINSOCKFILEPATH", t.TempDir())
	// The repo-server logs every helm and kustomize command at info level; its errors reach the
	// test through GenerateManifests' error.
	level := log.GetLevel()
	log.SetLevel(log.WarnLevel)
	t.Cleanup(func() { log.SetLevel(level) })

	files, err := filepath.Glob(filepath.Join("testdata", "oracle", "apps", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no oracle Applications: %v", err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".yaml")
		t.Run(name, func(t *testing.T) {
			// Both sides get their own copy: Argo CD runs `kustomize edit` in the app directory.
			want := argoCDObjects(t, file, copyRepos(t))
			got := wavecheckObjects(t, file, copyRepos(t))
			if len(want) == 0 {
				t.Fatal("Argo CD rendered no object: the case tests nothing")
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("wavecheck's objects differ from Argo CD's GenerateManifests (-argocd +wavecheck):\n%s", diff)
			}
		})
	}
}

// copyRepos copies the oracle repositories into a temporary folder and returns URL -> checkout.
func copyRepos(t *testing.T) map[string]string {
	t.Helper()
	dst := t.TempDir()
	out := map[string]string{}
	for url, dir := range oracleRepos {
		root := filepath.Join(dst, dir)
		if err := os.CopyFS(root, os.DirFS(filepath.Join("testdata", "oracle", dir))); err != nil {
			t.Fatal(err)
		}
		out[url] = root
	}
	return out
}

// argoCDObjects renders the Application's first non-ref source with Argo CD's GenerateManifests,
// given what the controller gives the repo-server (controller/state.go: app name, destination
// namespace, cluster version, ref sources) and no tracking label key, so that the objects carry
// no tracking annotation.
func argoCDObjects(t *testing.T, file string, repos map[string]string) []map[string]any {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var app v1alpha1.Application
	if err := yaml.UnmarshalStrict(b, &app); err != nil {
		t.Fatalf("parse %s with Argo CD's types: %v", file, err)
	}
	sources := app.Spec.GetSources()
	refs, err := argo.GetRefSources(context.Background(), sources, app.Spec.Project,
		func(_ context.Context, url, _ string) (*v1alpha1.Repository, error) {
			return &v1alpha1.Repository{Repo: url}, nil
		}, nil)
	if err != nil {
		t.Fatal(err)
	}
	gitPaths := utilio.NewRandomizedTempPaths(t.TempDir())
	for url, dir := range repos {
		gitPaths.Add(git.NormalizeGitURL(url), dir)
	}
	var out []map[string]any
	for i := range sources {
		src := sources[i]
		if app.Spec.HasMultipleSources() && src.IsRef() && src.Path == "" {
			continue
		}
		root := repos[src.RepoURL]
		q := &apiclient.ManifestRequest{
			Repo:               &v1alpha1.Repository{Repo: src.RepoURL},
			AppName:            app.Name,
			Namespace:          app.Spec.Destination.Namespace,
			ApplicationSource:  &src,
			KubeVersion:        oracleKubeVersion,
			RefSources:         refs,
			HasMultipleSources: app.Spec.HasMultipleSources(),
		}
		res, err := repository.GenerateManifests(context.Background(), filepath.Join(root, src.Path), root, src.TargetRevision, q,
			true, &git.NoopCredsStore{}, resource.MustParse("0"), gitPaths)
		if err != nil {
			t.Fatalf("Argo CD GenerateManifests: %v", err)
		}
		for _, m := range res.Manifests {
			var obj map[string]any
			if err := json.Unmarshal([]byte(m), &obj); err != nil {
				t.Fatal(err)
			}
			out = append(out, obj)
		}
	}
	return sortObjects(out)
}

// wavecheckObjects renders the Application as `wavecheck validate --application` does.
func wavecheckObjects(t *testing.T, file string, repos map[string]string) []map[string]any {
	t.Helper()
	ctx := context.Background()
	base := render.Options{KubeVersion: oracleKubeVersion}
	apps, err := pipeline.LoadApplications(ctx, file, base)
	if err != nil || len(apps) != 1 {
		t.Fatalf("load %s: %d Applications, %v", file, len(apps), err)
	}
	res, err := pipeline.RenderApplication(ctx, apps[0], pipeline.Checkouts{Repos: repos}, base)
	if err != nil {
		t.Fatalf("wavecheck: %v", err)
	}
	out := make([]map[string]any, 0, len(res.Objects))
	for _, o := range res.Objects {
		// Through JSON, as Argo CD's manifests are: numbers become float64 on both sides.
		b, err := json.Marshal(o.Object)
		if err != nil {
			t.Fatal(err)
		}
		var obj map[string]any
		if err := json.Unmarshal(b, &obj); err != nil {
			t.Fatal(err)
		}
		out = append(out, obj)
	}
	return sortObjects(out)
}

// sortObjects orders objects by kind, namespace and name: Argo CD sorts what it applies by
// phase, wave and kind itself, so the order of the generated stream is not compared.
func sortObjects(objs []map[string]any) []map[string]any {
	key := func(o map[string]any) string {
		md, _ := o["metadata"].(map[string]any)
		return fmt.Sprintf("%v/%v/%v/%v", o["apiVersion"], o["kind"], md["namespace"], md["name"])
	}
	slices.SortStableFunc(objs, func(a, b map[string]any) int { return strings.Compare(key(a), key(b)) })
	return objs
}
