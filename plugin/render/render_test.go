package render

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wavecheck/wavecheck/internal/manifest"
	"github.com/wavecheck/wavecheck/test/golden"
)

// renderString renders dir and returns the YAML stream.
func renderString(t *testing.T, dir string, opts Options) (*Result, string) {
	t.Helper()
	res, err := Render(context.Background(), dir, opts)
	if err != nil {
		t.Fatalf("Render(%s): %v", dir, err)
	}
	var buf bytes.Buffer
	if err := Write(&buf, res.Objects); err != nil {
		t.Fatalf("Write: %v", err)
	}
	return res, buf.String()
}

func TestDirectoryGolden(t *testing.T) {
	root := filepath.Join("testdata", "dir")
	tests := []struct {
		name string
		dir  string
		opts Options
	}{
		{name: "guestbook", dir: "corpus/guestbook"},
		{name: "sync-waves", dir: "corpus/sync-waves"},
		{name: "helm-hooks", dir: "corpus/helm-hooks"},
		{name: "mixed", dir: "mixed"},
		{name: "mixed-recurse", dir: "mixed", opts: Options{Recurse: true}},
		{name: "mixed-include-exclude", dir: "mixed", opts: Options{Recurse: true, Include: []string{"*.{yaml,yml}"}, Exclude: []string{"sub/f*"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.opts.RepoRoot = root
			res, got := renderString(t, filepath.Join(root, tc.dir), tc.opts)
			if res.Type != Directory {
				t.Errorf("type = %s, want Directory", res.Type)
			}
			checkGolden(t, "dir-"+tc.name+".yaml", []byte(got))
			// Same input, same bytes.
			if _, again := renderString(t, filepath.Join(root, tc.dir), tc.opts); again != got {
				t.Error("second render differs from the first")
			}
		})
	}
}

func TestDirectorySources(t *testing.T) {
	root := filepath.Join("testdata", "dir")
	res, err := Render(context.Background(), filepath.Join(root, "mixed"), Options{RepoRoot: root, Recurse: true})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range res.Objects {
		got = append(got, o.Ref()+" "+o.Source.String())
	}
	want := []string{
		"ConfigMap/from-list-1 mixed/a-list.yaml:2",
		"ConfigMap/from-list-2 mixed/a-list.yaml:2",
		"Job/migrate mixed/b-multi.yml:4",
		"Service/web mixed/b-multi.yml:22",
		"ConfigMap/from-json mixed/c.json:1",
		"ConfigMap/in-subdir mixed/sub/e.yaml:1",
		"Secret/excluded-by-glob mixed/sub/f.yaml:1",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("sources (-want +got):\n%s", diff)
	}
}

func TestAnnotationsKeptAsRendered(t *testing.T) {
	root := filepath.Join("testdata", "dir")
	res, err := Render(context.Background(), filepath.Join(root, "mixed"), Options{RepoRoot: root})
	if err != nil {
		t.Fatal(err)
	}
	var job manifest.Object
	for _, o := range res.Objects {
		if o.Kind() == "Job" {
			job = o
		}
	}
	a := job.Annotations()
	if v, ok := a["argocd.argoproj.io/sync-wave"].(int64); !ok || v != 5 {
		t.Errorf("sync-wave = %#v, want int64 5 (unquoted value kept as a number)", a["argocd.argoproj.io/sync-wave"])
	}
	if v, ok := a["example.com/enabled"].(bool); !ok || !v {
		t.Errorf("enabled = %#v, want bool true", a["example.com/enabled"])
	}
}

func TestDetect(t *testing.T) {
	tests := []struct {
		files []string
		want  SourceType
	}{
		// Regression (issue 11): Argo CD's discovery walks the files in lexical order and the
		// kustomization match comes last.
		{[]string{"Chart.yaml", "kustomization.yaml"}, Kustomize},
		{[]string{"Chart.yaml", "values.yaml"}, Helm},
		{[]string{"kustomization.yaml", "values-Chart.yaml"}, Helm},
		{[]string{"kustomization.yaml"}, Kustomize},
		{[]string{"kustomization.yml"}, Kustomize},
		{[]string{"Kustomization"}, Kustomize},
		{[]string{"deploy.yaml"}, Directory},
		{nil, Directory},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.files, ","), func(t *testing.T) {
			dir := t.TempDir()
			for _, f := range tc.files {
				writeFile(t, filepath.Join(dir, f), "")
			}
			if got := Detect(dir); got != tc.want {
				t.Errorf("Detect = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestParseSourceType(t *testing.T) {
	for in, want := range map[string]SourceType{"": "", "helm": Helm, "Kustomize": Kustomize, "directory": Directory, "dir": Directory} {
		got, err := ParseSourceType(in)
		if err != nil || got != want {
			t.Errorf("ParseSourceType(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseSourceType("jsonnet"); err == nil {
		t.Error("ParseSourceType(jsonnet): want an error")
	}
}

func TestRepoRootDefault(t *testing.T) {
	repo := t.TempDir()
	if err := os.Mkdir(filepath.Join(repo, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	app := filepath.Join(repo, "apps", "web")
	writeFile(t, filepath.Join(app, "cm.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n")
	res, err := Render(context.Background(), app, Options{})
	if err != nil {
		t.Fatal(err)
	}
	realRepo, _ := filepath.EvalSymlinks(repo)
	if res.RepoRoot != realRepo {
		t.Errorf("RepoRoot = %s, want %s (nearest parent with .git)", res.RepoRoot, realRepo)
	}
	if got := res.Objects[0].Source.File; got != "apps/web/cm.yaml" {
		t.Errorf("source file = %s, want apps/web/cm.yaml", got)
	}
}

func TestDirectoryBadInput(t *testing.T) {
	bomb := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bomb\ndata:\n  a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
	prev := "a"
	for _, n := range []string{"b", "c", "d", "e", "f", "g", "h", "i"} {
		bomb += "  " + n + ": &" + n + " [" + strings.Repeat("*"+prev+",", 8) + "*" + prev + "]\n"
		prev = n
	}
	tests := []struct {
		name    string
		files   map[string]string
		setup   func(t *testing.T, root, app string)
		opts    Options
		wantErr []string
		is      error
	}{
		{
			name:    "invalid YAML names file and line",
			files:   map[string]string{"bad.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [unclosed\n"},
			wantErr: []string{"app/bad.yaml:9", "invalid YAML"},
		},
		{
			name:    "document without kind",
			files:   map[string]string{"x.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\n---\nfoo: bar\n"},
			wantErr: []string{"app/x.yaml:6", "document 2", "not a Kubernetes object"},
		},
		{
			name:    "scalar document",
			files:   map[string]string{"x.yaml": "just a string\n"},
			wantErr: []string{"app/x.yaml:1", "not a Kubernetes object", "a string"},
		},
		{
			name:    "list document",
			files:   map[string]string{"x.json": "[1, 2]"},
			wantErr: []string{"app/x.json", "not a Kubernetes object", "a list"},
		},
		{
			name:    "billion laughs",
			files:   map[string]string{"bomb.yaml": bomb},
			wantErr: []string{"app/bomb.yaml", "alias"},
		},
		{
			name:    "file over the size limit",
			files:   map[string]string{"big.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n  x: " + strings.Repeat("x", 2000) + "\n"},
			opts:    Options{MaxFileBytes: 1000},
			wantErr: []string{"app/big.yaml", "1000-byte limit"},
		},
		{
			name: "total over the limit",
			files: map[string]string{
				"a.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  x: " + strings.Repeat("x", 600) + "\n",
				"b.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\ndata:\n  x: " + strings.Repeat("x", 600) + "\n",
			},
			opts:    Options{MaxTotalBytes: 1000},
			wantErr: []string{"app/b.yaml", "total limit"},
		},
		{
			name: "symlink escaping the repo root",
			setup: func(t *testing.T, _, app string) {
				outside := t.TempDir()
				writeFile(t, filepath.Join(outside, "secret.yaml"), "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n")
				if err := os.Symlink(filepath.Join(outside, "secret.yaml"), filepath.Join(app, "link.yaml")); err != nil {
					t.Fatal(err)
				}
			},
			wantErr: []string{"app/link.yaml", "escapes the repository root"},
			is:      ErrOutsideRoot,
		},
		{
			name: "symlinked directory escaping the root, even when not recursing",
			setup: func(t *testing.T, _, app string) {
				if err := os.Symlink("/etc", filepath.Join(app, "etc")); err != nil {
					t.Fatal(err)
				}
			},
			wantErr: []string{"app/etc", "escapes the repository root"},
			is:      ErrOutsideRoot,
		},
		{
			name:    "jsonnet is not silently ignored",
			files:   map[string]string{"main.jsonnet": "{}"},
			wantErr: []string{"app/main.jsonnet", "jsonnet"},
		},
		{
			// Issue 13 item 11: an empty jsonnet file beside manifests still fails, naming it.
			name:    "empty noop.jsonnet beside manifests",
			files:   map[string]string{"noop.jsonnet": "", "a.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n"},
			wantErr: []string{"app/noop.jsonnet", "jsonnet files are not supported"},
			is:      ErrJsonnet,
		},
		{
			name:    "bad include glob",
			files:   map[string]string{"a.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n"},
			opts:    Options{Include: []string{"{a.yaml"}},
			wantErr: []string{"--include", "unclosed `{`"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			app := filepath.Join(root, "app")
			if err := os.MkdirAll(app, 0o755); err != nil {
				t.Fatal(err)
			}
			for name, content := range tc.files {
				writeFile(t, filepath.Join(app, name), content)
			}
			if tc.setup != nil {
				tc.setup(t, root, app)
			}
			tc.opts.RepoRoot = root
			res, err := Render(context.Background(), app, tc.opts)
			if err == nil {
				t.Fatalf("Render succeeded with %d objects, want an error", len(res.Objects))
			}
			for _, w := range tc.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("error %v is not %v", err, tc.is)
			}
		})
	}
}

func TestRepoRootMustContainApp(t *testing.T) {
	app := t.TempDir()
	other := t.TempDir()
	if _, err := Render(context.Background(), app, Options{RepoRoot: other}); err == nil || !strings.Contains(err.Error(), "outside repo root") {
		t.Errorf("err = %v, want an app-outside-root error", err)
	}
}

func TestGlob(t *testing.T) {
	tests := []struct {
		glob, path string
		want       bool
	}{
		{"*.yaml", "a.yaml", true},
		{"*.yaml", "sub/a.yaml", true}, // like Argo CD's glob: * crosses /
		{"*.yaml", "a.yml", false},
		{"{a,b}.yaml", "b.yaml", true},
		{"{a,b}.yaml", "c.yaml", false},
		{"sub/?.yaml", "sub/e.yaml", true},
		{"[ab].yaml", "a.yaml", true},
		{"[!ab].yaml", "a.yaml", false},
		{"*}a", "x}a", true}, // regression: a "}" outside braces is a literal (was an error)
	}
	for _, tc := range tests {
		got, err := MatchGlob(tc.glob, tc.path)
		if err != nil {
			t.Fatalf("MatchGlob(%q): %v", tc.glob, err)
		}
		if got != tc.want {
			t.Errorf("glob %q on %q = %v, want %v", tc.glob, tc.path, got, tc.want)
		}
	}
}

func writeFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// checkGolden compares got with testdata/golden/name.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	golden.Check(t, filepath.Join("testdata", "golden", name), got)
}

// TestDirectoryLibsonnet: Argo CD evaluates only *.jsonnet files of a directory app
// (reposerver/repository findManifests: strings.HasSuffix(name, ".jsonnet")); a .libsonnet
// library beside the manifests changes nothing, so wavecheck renders the app instead of
// refusing it.
func TestDirectoryLibsonnet(t *testing.T) {
	app := filepath.Join(t.TempDir(), "app")
	writeFile(t, filepath.Join(app, "lib.libsonnet"), "{}")
	writeFile(t, filepath.Join(app, "cm.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n")
	res, err := Render(context.Background(), app, Options{RepoRoot: filepath.Dir(app)})
	if err != nil || len(res.Objects) != 1 {
		t.Fatalf("Render = %v, %v; want the one ConfigMap", res, err)
	}
}
