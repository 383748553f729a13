package render

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// kustRoot is the fake repository root of the Kustomize test apps.
var kustRoot = filepath.Join("testdata", "kustomize")

// kustomizeCases are the Kustomize apps rendered by the golden and the parity tests.
var kustomizeCases = []struct {
	name string
	dir  string
}{
	{name: "guestbook", dir: "corpus/kustomize-guestbook"},
	{name: "pre-post-sync", dir: "corpus/pre-post-sync"},
	{name: "overlay", dir: "overlays/prod"},
	{name: "origin-annotations", dir: "origin"},
	{name: "features", dir: "features"},
	{name: "openapi-custom", dir: "openapi/custom"},
	{name: "openapi-plain", dir: "openapi/plain"},
}

func TestKustomizeGolden(t *testing.T) {
	for _, tc := range kustomizeCases {
		t.Run(tc.name, func(t *testing.T) {
			opts := Options{RepoRoot: kustRoot}
			res, got := renderString(t, filepath.Join(kustRoot, tc.dir), opts)
			if res.Type != Kustomize {
				t.Errorf("type = %s, want Kustomize", res.Type)
			}
			checkGolden(t, "kustomize-"+tc.name+".yaml", []byte(got))
			if _, again := renderString(t, filepath.Join(kustRoot, tc.dir), opts); again != got {
				t.Error("second render differs from the first")
			}
		})
	}
}

func TestKustomizeSources(t *testing.T) {
	tests := []struct {
		dir  string
		want []string
	}{
		{
			dir: "overlays/prod",
			want: []string{
				"ConfigMap/prod-flags overlays/prod/extras.yaml:2 doc 0",
				"ConfigMap/prod-flags-extra overlays/prod/extras.yaml:9 doc 1",
				"ConfigMap/prod-web-config-t64gfmt2t5 base/kustomization.yaml doc 0", // generated
				"Service/prod-web base/service.yaml:1 doc 0",
				"Deployment/prod-web base/deployment.yaml:1 doc 0",
				"Job/prod-migrate overlays/prod/migrate-job.yaml:1 doc 0",
				"ServiceMonitor/prod-web components/monitoring/servicemonitor.yaml:1 doc 0",
			},
		},
		{
			dir: "corpus/pre-post-sync",
			want: []string{
				"Service/pre-post-sync-kustomize-guestbook-ui corpus/kustomize-guestbook/guestbook-ui-svc.yaml:1 doc 0",
				"Deployment/pre-post-sync-kustomize-guestbook-ui corpus/kustomize-guestbook/guestbook-ui-deployment.yaml:1 doc 0",
				"Job/pre-post-sync-after corpus/pre-post-sync/post-sync-job.yaml:1 doc 0",
				"Job/pre-post-sync-before corpus/pre-post-sync/pre-sync-job.yaml:1 doc 0",
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.dir, func(t *testing.T) {
			res, err := Render(context.Background(), filepath.Join(kustRoot, tc.dir), Options{RepoRoot: kustRoot})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, o := range res.Objects {
				got = append(got, fmt.Sprintf("%s %s doc %d", o.Ref(), o.Source, o.Source.Doc))
				if _, ok := o.Annotations()[originAnnotation]; ok {
					t.Errorf("%s keeps the %s annotation wavecheck added", o.Ref(), originAnnotation)
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("objects (-want +got):\n%s", diff)
			}
		})
	}
}

// A kustomization that asks for origin annotations itself keeps them, as kustomize build does.
func TestKustomizeUserOriginAnnotationsKept(t *testing.T) {
	res, err := Render(context.Background(), filepath.Join(kustRoot, "origin"), Options{RepoRoot: kustRoot})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range res.Objects {
		if got := o.Annotations()[originAnnotation]; got != "path: cm.yaml\n" {
			t.Errorf("%s origin annotation = %#v, want the one kustomize writes", o.Ref(), got)
		}
		if got := o.Source.String(); got != "origin/cm.yaml:1" {
			t.Errorf("%s source = %s, want origin/cm.yaml:1", o.Ref(), got)
		}
	}
}

func TestKustomizeBadInput(t *testing.T) {
	outside := t.TempDir()
	writeFile(t, filepath.Join(outside, "secret.yaml"), "apiVersion: v1\nkind: Secret\nmetadata:\n  name: stolen\n")
	writeFile(t, filepath.Join(outside, "base", "kustomization.yaml"), "resources:\n- cm.yaml\n")
	writeFile(t, filepath.Join(outside, "base", "cm.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: outside\n")
	rel := func(t *testing.T, from, to string) string {
		t.Helper()
		r, err := filepath.Rel(from, to)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	cm := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: local\n"

	tests := []struct {
		name    string
		files   map[string]string // under the repo root
		setup   func(t *testing.T, root string)
		opts    Options
		wantErr []string
		is      error
		file    string
	}{
		{
			name: "remote https resource",
			files: map[string]string{
				"app/kustomization.yaml": "resources:\n- cm.yaml\n- https://github.com/argoproj/argocd-example-apps//guestbook?ref=master\n",
				"app/cm.yaml":            cm,
			},
			wantErr: []string{"app/kustomization.yaml", `"https://github.com/argoproj/argocd-example-apps//guestbook?ref=master"`, "--allow-remote"},
			file:    "app/kustomization.yaml",
		},
		{
			name:    "remote github base without scheme",
			files:   map[string]string{"app/kustomization.yaml": "bases:\n- github.com/argoproj/argocd-example-apps/kustomize-guestbook\n"},
			wantErr: []string{"app/kustomization.yaml", "github.com/argoproj/argocd-example-apps/kustomize-guestbook"},
		},
		{
			name:    "remote scp-style component",
			files:   map[string]string{"app/kustomization.yaml": "components:\n- git@gitlab.com:org/repo.git//comp?ref=v1\n"},
			wantErr: []string{"app/kustomization.yaml", "remote component", "git@gitlab.com:org/repo.git//comp?ref=v1"},
		},
		{
			name:    "go-getter git:: prefix",
			files:   map[string]string{"app/kustomization.yaml": "resources:\n- git::https://example.com/org/repo//base\n"},
			wantErr: []string{"git::https://example.com/org/repo//base"},
		},
		{
			name: "remote resource in a nested base names that base's kustomization",
			files: map[string]string{
				"app/kustomization.yaml":  "resources:\n- ../base\n",
				"base/kustomization.yaml": "resources:\n- ssh://git@example.com/org/repo.git//deploy\n",
			},
			wantErr: []string{"base/kustomization.yaml", "ssh://git@example.com/org/repo.git//deploy"},
			file:    "base/kustomization.yaml",
		},
		{
			name: "remote patch file",
			files: map[string]string{
				"app/kustomization.yaml": "resources:\n- cm.yaml\npatches:\n- path: https://example.com/patch.yaml\n",
				"app/cm.yaml":            cm,
			},
			wantErr: []string{"app/kustomization.yaml", "https://example.com/patch.yaml"},
		},
		{
			name: "remote generator file",
			files: map[string]string{
				"app/kustomization.yaml": "configMapGenerator:\n- name: c\n  files:\n  - key=https://example.com/data.txt\n",
			},
			wantErr: []string{"app/kustomization.yaml", "https://example.com/data.txt"},
		},
		{
			name: "symlink in a base escaping the root",
			files: map[string]string{
				"app/kustomization.yaml":  "resources:\n- ../base\n",
				"base/kustomization.yaml": "resources:\n- secret.yaml\n",
			},
			setup: func(t *testing.T, root string) {
				if err := os.Symlink(filepath.Join(outside, "secret.yaml"), filepath.Join(root, "base", "secret.yaml")); err != nil {
					t.Fatal(err)
				}
			},
			wantErr: []string{"base/secret.yaml", "escapes the repository root"},
			is:      ErrOutsideRoot,
		},
		{
			name: "base outside the repo root",
			setup: func(t *testing.T, root string) {
				writeFile(t, filepath.Join(root, "app", "kustomization.yaml"), "resources:\n- "+rel(t, filepath.Join(root, "app"), filepath.Join(outside, "base"))+"\n")
			},
			wantErr: []string{"escapes the repository root", filepath.Join(outside, "base")},
			is:      ErrOutsideRoot,
		},
		{
			// With remote resources allowed the graph walk is skipped: the file system
			// wrapper alone must still refuse the local escape.
			name: "base outside the repo root with remote allowed",
			setup: func(t *testing.T, root string) {
				writeFile(t, filepath.Join(root, "app", "kustomization.yaml"), "resources:\n- "+rel(t, filepath.Join(root, "app"), filepath.Join(outside, "base"))+"\n")
			},
			opts:    Options{AllowRemote: true},
			wantErr: []string{"escapes the repository root", filepath.Join(outside, "base")},
			is:      ErrOutsideRoot,
		},
		{
			name:    "invalid kustomization",
			files:   map[string]string{"app/kustomization.yaml": "resources: [unclosed\n"},
			wantErr: []string{"app/kustomization.yaml", "build kustomization"},
			file:    "app/kustomization.yaml",
		},
		{
			name:    "unknown field",
			files:   map[string]string{"app/kustomization.yaml": "resourcez:\n- cm.yaml\n"},
			wantErr: []string{"app/kustomization.yaml", "resourcez"},
		},
		{
			name:    "missing resource",
			files:   map[string]string{"app/kustomization.yaml": "resources:\n- nope.yaml\n"},
			wantErr: []string{"app/kustomization.yaml", "nope.yaml"},
		},
		{
			name: "file over the size limit",
			files: map[string]string{
				"app/kustomization.yaml": "resources:\n- cm.yaml\n",
				"app/cm.yaml":            cm + "data:\n  x: " + strings.Repeat("x", 2000) + "\n",
			},
			opts:    Options{MaxFileBytes: 1000},
			wantErr: []string{"app/cm.yaml", "1000-byte limit"},
			file:    "app/cm.yaml",
		},
		{
			name: "total over the limit",
			files: map[string]string{
				"app/kustomization.yaml": "resources:\n- a.yaml\n- b.yaml\n",
				"app/a.yaml":             cm + "data:\n  x: " + strings.Repeat("x", 500) + "\n",
				"app/b.yaml":             strings.Replace(cm, "local", "other", 1) + "data:\n  x: " + strings.Repeat("x", 500) + "\n",
			},
			opts:    Options{MaxTotalBytes: 1000},
			wantErr: []string{"app/b.yaml", "total limit"},
			file:    "app/b.yaml",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			for name, content := range tc.files {
				writeFile(t, filepath.Join(root, name), content)
			}
			if tc.setup != nil {
				tc.setup(t, root)
			}
			tc.opts.RepoRoot = root
			tc.opts.SourceType = Kustomize
			res, err := Render(context.Background(), filepath.Join(root, "app"), tc.opts)
			if err == nil {
				t.Fatalf("render succeeded with %d objects, want an error", len(res.Objects))
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
			var re *Error
			if !errors.As(err, &re) {
				t.Fatalf("error %v is not a *render.Error", err)
			}
			if tc.file != "" && re.File != tc.file {
				t.Errorf("error file = %s, want %s", re.File, tc.file)
			}
		})
	}
}

func TestIsRemoteRef(t *testing.T) {
	tests := map[string]bool{
		"../base":                            false,
		"deployment.yaml":                    false,
		"overlays/prod":                      false,
		"https://example.com/x.yaml":         true,
		"http://example.com/x":               true,
		"github.com/org/repo//dir?ref=v1":    true,
		"GitHub.com:org/repo":                true,
		"git@github.com:org/repo.git":        true,
		"git::https://example.com/org/repo":  true,
		"ssh://git@example.com/org/repo.git": true,
		"file:///srv/git/repo.git":           true,
		"user-name@host.example/org/repo":    true,
		"dir-with@sign":                      false,
	}
	for ref, want := range tests {
		if got := isRemoteRef(ref); got != want {
			t.Errorf("isRemoteRef(%q) = %v, want %v", ref, got, want)
		}
	}
}

// With --allow-remote a git base is cloned (here from a local file:// repository, so the test
// needs git but no network) and read from kustomize's clone directory.
func TestKustomizeAllowRemote(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	remote := t.TempDir()
	writeFile(t, filepath.Join(remote, "deploy", "kustomization.yaml"), "resources:\n- cm.yaml\n")
	writeFile(t, filepath.Join(remote, "deploy", "cm.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-git\n")
	for _, args := range [][]string{
		{"init", "-q", "-b", "main"},
		{"add", "."},
		{"-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-q", "-m", "init"},
	} {
		cmd := exec.Command("git", args...)
		cmd.Dir = remote
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	root := t.TempDir()
	url := "file://" + remote + "//deploy?ref=main"
	writeFile(t, filepath.Join(root, "app", "kustomization.yaml"), "resources:\n- "+url+"\n")

	if _, err := Render(context.Background(), filepath.Join(root, "app"), Options{RepoRoot: root}); err == nil || !strings.Contains(err.Error(), url) {
		t.Fatalf("without AllowRemote: err = %v, want a refusal naming %s", err, url)
	}
	res, err := Render(context.Background(), filepath.Join(root, "app"), Options{RepoRoot: root, AllowRemote: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Objects) != 1 || res.Objects[0].Name() != "from-git" {
		t.Fatalf("objects = %v, want ConfigMap/from-git", res.Objects)
	}
	if got, want := res.Objects[0].Source.File, "file://"+remote+"//deploy/cm.yaml?ref=main"; got != want {
		t.Errorf("source = %s, want %s", got, want)
	}
}

// kustomize keeps the OpenAPI schema in process-wide globals: a kustomization with a custom
// schema must not change how the next app (without one) is patched, as it cannot with one
// `kustomize build` process per app.
func TestKustomizeOpenAPISchemaDoesNotLeak(t *testing.T) {
	items := func(t *testing.T, dir string) int {
		t.Helper()
		res, err := Render(context.Background(), filepath.Join(kustRoot, "openapi", dir), Options{RepoRoot: kustRoot})
		if err != nil {
			t.Fatal(err)
		}
		spec, _ := res.Objects[0].Object["spec"].(map[string]any)
		list, _ := spec["items"].([]any)
		return len(list)
	}
	for i, step := range []struct {
		dir  string
		want int
	}{
		{"plain", 1},  // no merge key: the patch replaces the list
		{"custom", 2}, // merge key "name" from the custom schema: the lists merge
		{"plain", 1},  // back to kustomize's built-in schema
		{"custom", 2},
	} {
		if got := items(t, step.dir); got != step.want {
			t.Errorf("step %d (%s): %d items, want %d", i, step.dir, got, step.want)
		}
	}
}
