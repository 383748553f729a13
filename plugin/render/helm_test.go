//go:build !nohelm

package render

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/wavecheck/wavecheck/internal/manifest"
)

// helmRoot is the fake repository root of the Helm test apps.
var helmRoot = filepath.Join("testdata", "helm")

// helmCases are the Helm apps rendered by the golden and the parity tests.
var helmCases = []struct {
	name string
	dir  string
	opts Options
}{
	{name: "guestbook", dir: "corpus/helm-guestbook", opts: Options{ReleaseName: "guestbook", Namespace: "guestbook"}},
	{name: "guestbook-production", dir: "corpus/helm-guestbook", opts: Options{ReleaseName: "gb-prod", Namespace: "prod", ValueFiles: []string{"values-production.yaml"}}},
	{name: "hooks", dir: "hooks", opts: Options{ReleaseName: "rel", Namespace: "ns", KubeVersion: "1.31.2"}},
	// No namespace: helm template (without a kubeconfig, as in Argo CD's repo-server) uses "default".
	{name: "hooks-default-namespace", dir: "hooks", opts: Options{ReleaseName: "rel", KubeVersion: "1.33.0"}},
	{name: "hooks-values-set-capabilities", dir: "hooks", opts: Options{
		ReleaseName: "rel", Namespace: "ns",
		ValueFiles:  []string{"values-extra.yaml"},
		Set:         []string{"wave=7", "migrate.enabled=false", "sub.greeting=set on the command line", "packed.color=green"},
		KubeVersion: "v1.29.4",
		APIVersions: []string{"monitoring.coreos.com/v1", "example.com/v1/Widget"},
	}},
}

func TestHelmGolden(t *testing.T) {
	for _, tc := range helmCases {
		t.Run(tc.name, func(t *testing.T) {
			tc.opts.RepoRoot = helmRoot
			res, got := renderString(t, filepath.Join(helmRoot, tc.dir), tc.opts)
			if res.Type != Helm {
				t.Errorf("type = %s, want Helm", res.Type)
			}
			checkGolden(t, "helm-"+tc.name+".yaml", []byte(got))
			if _, again := renderString(t, filepath.Join(helmRoot, tc.dir), tc.opts); again != got {
				t.Error("second render differs from the first")
			}
		})
	}
}

func TestHelmSourcesAndHooks(t *testing.T) {
	res, err := Render(context.Background(), filepath.Join(helmRoot, "hooks"), Options{RepoRoot: helmRoot, ReleaseName: "rel", Namespace: "ns"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range res.Objects {
		got = append(got, o.Ref()+" "+o.Source.File)
	}
	// helm template's order: CRDs, then manifests in install order, then hooks.
	want := []string{
		"CustomResourceDefinition/widgets.example.com hooks/crds/widget.yaml",
		"CustomResourceDefinition/gadgets.example.com hooks/crds/widget.yaml",
		"Secret/rel-packed hooks/charts/packed/templates/secret.yaml",
		"ConfigMap/rel-sub hooks/charts/sub/templates/configmap.yaml",
		"ConfigMap/rel-capabilities hooks/templates/capabilities.yaml",
		"Deployment/rel-web hooks/templates/deployment.yaml",
		"Widget/rel-widget hooks/templates/widget.yaml",
		"ConfigMap/rel-pre-config hooks/templates/pre-install-job.yaml",
		"Pod/rel-test hooks/templates/test-pod.yaml",
		"Job/rel-notify hooks/templates/post-upgrade-job.yaml",
		"Job/rel-migrate hooks/templates/pre-install-job.yaml",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("objects (-want +got):\n%s", diff)
	}
	if d := res.Objects[1].Source.Doc; d != 1 {
		t.Errorf("second CRD doc index = %d, want 1", d)
	}
	for _, o := range res.Objects {
		if o.Kind() == "Deployment" {
			if v, ok := o.Annotations()["argocd.argoproj.io/sync-wave"].(int64); !ok || v != 2 {
				t.Errorf("sync-wave = %#v, want int64 2 as rendered", o.Annotations()["argocd.argoproj.io/sync-wave"])
			}
			if ns := o.Namespace(); ns != "ns" {
				t.Errorf("namespace = %q, want ns (.Release.Namespace)", ns)
			}
		}
	}
}

func TestHelmReleaseNameAndNamespaceDefaults(t *testing.T) {
	tests := []struct {
		name     string
		opts     Options
		wantName string
	}{
		// The chart's fullname helper drops the chart name when the release name contains it.
		{name: "directory name", opts: Options{}, wantName: "helm-guestbook"},
		{name: "app name", opts: Options{AppName: "shop"}, wantName: "shop-helm-guestbook"},
		{name: "release name wins", opts: Options{AppName: "shop", ReleaseName: "web"}, wantName: "web-helm-guestbook"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.opts.RepoRoot = helmRoot
			res, err := Render(context.Background(), filepath.Join(helmRoot, "corpus", "helm-guestbook"), tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if got := res.Objects[0].Name(); got != tc.wantName {
				t.Errorf("name = %q, want %q", got, tc.wantName)
			}
		})
	}
}

// copyTree copies a testdata directory into dst, for tests that add symlinks.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestHelmBadInput(t *testing.T) {
	outsideFile := filepath.Join(t.TempDir(), "values.yaml")
	writeFile(t, outsideFile, "replicas: 9\n")
	tests := []struct {
		name    string
		dir     string
		opts    Options
		setup   func(t *testing.T, root string) // root is a writable copy of testdata/helm
		direct  bool                            // call renderHelm directly, past Render's symlink walk
		wantErr []string
		is      error
		file    string // wanted *Error File
		line    int
	}{
		{
			name:    "values file above the root",
			dir:     "hooks",
			opts:    Options{ValueFiles: []string{"../../x.yaml"}},
			wantErr: []string{"../../x.yaml", "escapes the repository root"},
			is:      ErrOutsideRoot,
		},
		{
			name:    "absolute values file outside the root",
			dir:     "hooks",
			opts:    Options{ValueFiles: []string{outsideFile}},
			wantErr: []string{outsideFile, "escapes the repository root"},
			is:      ErrOutsideRoot,
		},
		{
			name: "values file symlinked outside the root",
			dir:  "hooks",
			opts: Options{ValueFiles: []string{"../linked-values.yaml"}},
			setup: func(t *testing.T, root string) {
				if err := os.Symlink(outsideFile, filepath.Join(root, "linked-values.yaml")); err != nil {
					t.Fatal(err)
				}
			},
			wantErr: []string{"linked-values.yaml", "escapes the repository root"},
			is:      ErrOutsideRoot,
		},
		{
			name:    "missing values file",
			dir:     "hooks",
			opts:    Options{ValueFiles: []string{"nope.yaml"}},
			wantErr: []string{"hooks/nope.yaml"},
		},
		{
			name:    "remote values file",
			dir:     "hooks",
			opts:    Options{ValueFiles: []string{"https://example.com/values.yaml"}},
			wantErr: []string{"https://example.com/values.yaml", "remote values files are not supported"},
		},
		{
			name: "invalid values file",
			dir:  "hooks",
			opts: Options{ValueFiles: []string{"bad-values.yaml"}},
			setup: func(t *testing.T, root string) {
				writeFile(t, filepath.Join(root, "hooks", "bad-values.yaml"), "a: [unclosed\n")
			},
			wantErr: []string{"hooks/bad-values.yaml", "parse values file"},
		},
		{
			name: "symlink in a chart escaping the root",
			dir:  "hooks",
			setup: func(t *testing.T, root string) {
				if err := os.Symlink(outsideFile, filepath.Join(root, "hooks", "templates", "stolen.yaml")); err != nil {
					t.Fatal(err)
				}
			},
			wantErr: []string{"hooks/templates/stolen.yaml", "escapes the repository root"},
			is:      ErrOutsideRoot,
		},
		{
			name:   "symlink in a chart escaping the root, chart loader alone",
			dir:    "hooks",
			direct: true,
			setup: func(t *testing.T, root string) {
				if err := os.Symlink(filepath.Dir(outsideFile), filepath.Join(root, "hooks", "templates", "dir")); err != nil {
					t.Fatal(err)
				}
			},
			wantErr: []string{"hooks/templates/dir", "escapes the repository root"},
			is:      ErrOutsideRoot,
		},
		{
			name: "symlink loop in a chart",
			dir:  "hooks",
			setup: func(t *testing.T, root string) {
				for _, l := range []string{"a", "b"} {
					if err := os.Symlink("..", filepath.Join(root, "hooks", "templates", l)); err != nil {
						t.Fatal(err)
					}
				}
			},
			wantErr: []string{"hooks/templates/a", "symlink loop back to hooks"},
		},
		{
			name:    "missing chart dependency",
			dir:     "missing-dep",
			opts:    Options{Dependencies: Dependencies{CacheDir: filepath.Join(outsideFile, "..", "cache")}},
			wantErr: []string{"missing-dep/Chart.yaml", "dependency redis 19.0.0 from https://charts.bitnami.com/bitnami is not vendored under charts/", "refuses the network"},
			file:    "missing-dep/Chart.yaml",
		},
		{
			name:    "template execution error",
			dir:     "bad-template",
			wantErr: []string{"bad-template/templates/broken.yaml", "missing is required"},
			file:    "bad-template/templates/broken.yaml",
			line:    6,
		},
		{
			name:    "template parse error",
			dir:     "bad-syntax",
			wantErr: []string{"bad-syntax/templates/cm.yaml", "nosuchfunc"},
			file:    "bad-syntax/templates/cm.yaml",
			line:    6,
		},
		{
			name:    "bad --set",
			dir:     "hooks",
			opts:    Options{Set: []string{"novalue"}},
			wantErr: []string{"--set", "novalue"},
		},
		{
			name:    "bad kube version",
			dir:     "hooks",
			opts:    Options{KubeVersion: "one.two"},
			wantErr: []string{"kube version", "one.two"},
		},
		{
			name: "library chart",
			dir:  "hooks",
			setup: func(t *testing.T, root string) {
				p := filepath.Join(root, "hooks", "Chart.yaml")
				data, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				writeFile(t, p, strings.Replace(string(data), "type: application", "type: library", 1))
			},
			wantErr: []string{"hooks/Chart.yaml", "library charts are not installable"},
		},
		{
			name:    "file over the size limit",
			dir:     "hooks",
			opts:    Options{MaxFileBytes: 600},
			wantErr: []string{"600-byte limit"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := helmRoot
			if tc.setup != nil {
				root = filepath.Join(t.TempDir(), "helm")
				copyTree(t, helmRoot, root)
				tc.setup(t, root)
			}
			tc.opts.RepoRoot = root
			var err error
			if tc.direct {
				realRoot, rerr := filepath.EvalSymlinks(root)
				if rerr != nil {
					t.Fatal(rerr)
				}
				dir, _ := filepath.Abs(filepath.Join(realRoot, tc.dir))
				b := &bounds{root: realRoot, maxFile: tc.opts.maxFile(), maxTotal: tc.opts.maxTotal()}
				_, err = renderHelm(context.Background(), b, dir, tc.opts)
			} else {
				_, err = Render(context.Background(), filepath.Join(root, tc.dir), tc.opts)
			}
			if err == nil {
				t.Fatal("render succeeded, want an error")
			}
			t.Log(err)
			for _, w := range tc.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("error %v is not %v", err, tc.is)
			}
			if tc.file != "" {
				var re *Error
				if !errors.As(err, &re) {
					t.Fatalf("error %v is not a *render.Error", err)
				}
				if re.File != tc.file || re.Line != tc.line {
					t.Errorf("error at %s:%d, want %s:%d", re.File, re.Line, tc.file, tc.line)
				}
			}
		})
	}
}

func TestSplitAPIVersions(t *testing.T) {
	got := splitAPIVersions([]string{"a/v1,b/v1", " c/v1 ", ""})
	if diff := cmp.Diff([]string{"a/v1", "b/v1", "c/v1"}, got); diff != "" {
		t.Errorf("splitAPIVersions (-want +got):\n%s", diff)
	}
}

// TestHelmValuesPrecedence checks Argo CD's order: values files, then inline values, then
// --set (parameters), each overriding the previous.
func TestHelmValuesPrecedence(t *testing.T) {
	tests := []struct {
		name         string
		opts         Options
		wantReplicas int64
		wantWave     string
	}{
		{"chart defaults", Options{}, 1, "2"},
		{"values file", Options{ValueFiles: []string{"values-extra.yaml"}}, 3, "2"},
		{"inline values over values file", Options{ValueFiles: []string{"values-extra.yaml"}, Values: "replicas: 5\nwave: 4\n"}, 5, "4"},
		{"set over inline values", Options{Values: "replicas: 5\nwave: 4\n", Set: []string{"wave=9"}}, 5, "9"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.opts.RepoRoot, tc.opts.ReleaseName, tc.opts.Namespace = helmRoot, "rel", "ns"
			res, err := Render(context.Background(), filepath.Join(helmRoot, "hooks"), tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			var dep manifest.Object
			for _, o := range res.Objects {
				if o.Kind() == "Deployment" {
					dep = o
				}
			}
			spec, _ := dep.Object["spec"].(map[string]any)
			if got := spec["replicas"]; got != tc.wantReplicas {
				t.Errorf("replicas = %#v, want %d", got, tc.wantReplicas)
			}
			if got := fmt.Sprint(dep.Annotations()["argocd.argoproj.io/sync-wave"]); got != tc.wantWave {
				t.Errorf("sync-wave = %s, want %s", got, tc.wantWave)
			}
		})
	}
	t.Run("invalid inline values", func(t *testing.T) {
		_, err := Render(context.Background(), filepath.Join(helmRoot, "hooks"), Options{RepoRoot: helmRoot, Values: "replicas: [unclosed\n"})
		if err == nil || !strings.Contains(err.Error(), "inline values") {
			t.Errorf("err = %v, want a parse error naming the inline values", err)
		}
	})
}

func TestHelmParity(t *testing.T) {
	helm := filepath.Join(toolsBin(t), "helm")
	for _, tc := range helmCases {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(helmRoot, tc.dir)
			args := []string{"template", tc.opts.ReleaseName, ".", "--include-crds"}
			if tc.opts.Namespace != "" {
				args = append(args, "--namespace", tc.opts.Namespace)
			}
			for _, f := range tc.opts.ValueFiles {
				args = append(args, "-f", f)
			}
			for _, s := range tc.opts.Set {
				args = append(args, "--set", s)
			}
			if tc.opts.KubeVersion != "" {
				args = append(args, "--kube-version", tc.opts.KubeVersion)
			}
			for _, a := range tc.opts.APIVersions {
				args = append(args, "--api-versions", a)
			}
			want := cliObjects(t, runTool(t, dir, helm, args...))
			if len(want) == 0 {
				t.Fatalf("helm %s printed no objects", strings.Join(args, " "))
			}

			opts := tc.opts
			opts.RepoRoot = helmRoot
			res, err := Render(context.Background(), dir, opts)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, objectMaps(res.Objects)); diff != "" {
				t.Errorf("in-process render differs from helm %s (-helm +wavecheck):\n%s", strings.Join(args, " "), diff)
			}
		})
	}
}
