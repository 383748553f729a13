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
	{name: "replay", dir: "replay/app"},
	{name: "replay-ambiguous", dir: "replay/ambiguous"},
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

// kustomizeSourceLines renders the Kustomize app in dir (under root) and lists its objects with
// their sources, finding sources by replaying the build (replay) or from origin annotations.
// It also reports whether the replay applies to the app.
func kustomizeSourceLines(t *testing.T, root, dir string, replay bool) ([]string, bool) {
	t.Helper()
	abs, err := filepath.Abs(filepath.Join(root, dir))
	if err != nil {
		t.Fatal(err)
	}
	realRoot, err := findRepoRoot(abs, root)
	if err != nil {
		t.Fatal(err)
	}
	b := &bounds{root: realRoot, maxFile: DefaultMaxFileBytes, maxTotal: DefaultMaxTotalBytes}
	w := &kustWalker{b: b, nodes: map[string]*kustNode{}}
	if err := w.walk(abs); err != nil {
		t.Fatal(err)
	}
	_, replayErr := w.replay(abs)
	objs, err := buildKustomize(context.Background(), b, abs, Options{RepoRoot: root}, replay)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, o := range objs {
		lines = append(lines, fmt.Sprintf("%s ns=%s %s doc %d", o.Ref(), o.Namespace(), o.Source, o.Source.Doc))
	}
	return lines, replayErr == nil
}

// Sources found by replaying the build are the ones origin annotations give.
func TestKustomizeSourcesReplayed(t *testing.T) {
	noReplay := map[string]bool{
		"origin-annotations": true, // kustomize keeps them in the output: wavecheck uses them
		"openapi-custom":     true, // a custom schema may make kinds cluster-scoped
		"replay-ambiguous":   true, // two ConfigMaps "settings" before a patch deletes one
	}
	for _, tc := range kustomizeCases {
		t.Run(tc.name, func(t *testing.T) {
			want, _ := kustomizeSourceLines(t, kustRoot, tc.dir, false)
			got, replayed := kustomizeSourceLines(t, kustRoot, tc.dir, true)
			if replayed != !noReplay[tc.name] {
				t.Errorf("replayed = %v, want %v", replayed, !noReplay[tc.name])
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("sources (-origin annotations +replay):\n%s", diff)
			}
		})
	}
}

// The replay follows bases included twice, name prefixes and suffixes at every level,
// namespaces, components, generators (created, merged, replaced) and ignores patch files; an
// id it cannot tell apart makes the build use origin annotations.
func TestKustomizeReplaySources(t *testing.T) {
	tests := []struct {
		dir  string
		want []string
	}{
		{
			dir: "replay/app",
			want: []string{
				"Namespace/shop ns= replay/app/cluster.yaml:2 doc 0",                                    // no prefix or suffix
				"CustomResourceDefinition/widgets.shop.example.com ns= replay/app/cluster.yaml:7 doc 1", // no prefix or suffix
				"ClusterRole/shop-reader-c ns= replay/app/cluster.yaml:25 doc 2",
				"ConfigMap/shop-a-settings-c ns=team-a replay/team-a/settings.yaml:1 doc 0",            // not settings-patch.yaml
				"ConfigMap/shop-a-web-env-c-7tff7b85gk ns=team-a replay/base/kustomization.yaml doc 0", // merged
				"ConfigMap/shop-b-settings-v2-c ns=team-b replay/team-b/settings.yaml:2 doc 0",
				"ConfigMap/shop-b-web-env-v2-c-tc5cbb7fkt ns=team-b replay/team-b/kustomization.yaml doc 0", // replaced
				"Secret/shop-probe-token-c-5c24987dt8 ns= replay/components/probe/kustomization.yaml doc 0",
				"Service/shop-a-web-c ns=team-a replay/base/web.yaml:21 doc 1",
				"Service/shop-b-web-v2-c ns=team-b replay/base/web.yaml:21 doc 1",
				"Deployment/shop-a-web-c ns=team-a replay/base/web.yaml:1 doc 0",
				"Deployment/shop-b-web-v2-c ns=team-b replay/base/web.yaml:1 doc 0",
				"Job/shop-smoke-c ns= replay/components/probe/probe.yaml:1 doc 0",
			},
		},
		{
			dir: "replay/ambiguous",
			want: []string{
				"ConfigMap/kept ns= replay/ambiguous/old/resources.yaml:8 doc 1",
				"ConfigMap/settings ns= replay/ambiguous/settings.yaml:1 doc 0",
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.dir, func(t *testing.T) {
			got, _ := kustomizeSourceLines(t, kustRoot, tc.dir, true)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("sources (-want +got):\n%s", diff)
			}
		})
	}
}

// Kustomizations using what the replay does not model, and that can change ids, get their
// sources from origin annotations; the rest is replayed. Either way the sources are those
// origin annotations give.
func TestKustomizeReplayRefusals(t *testing.T) {
	const cms = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  x: \"1\"\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\ndata:\n  y: \"2\"\n"
	tests := []struct {
		name    string
		kust    string
		files   map[string]string
		refused string // part of the reason; empty when the replay applies
		want    []string
		// better is set where the replay finds a source origin annotations cannot: their
		// path names the file, but no document there has the object's kind and a name
		// contained in the built one.
		better bool
	}{
		{
			name:    "JSON patch renaming",
			kust:    "resources:\n- cms.yaml\npatches:\n- target:\n    name: a\n  patch: |-\n    - op: replace\n      path: /metadata/name\n      value: renamed\n",
			refused: `JSON patch writing "/metadata/name"`,
			want:    []string{"ConfigMap/b ns= app/cms.yaml:8 doc 1", "ConfigMap/renamed ns= app/cms.yaml:1 doc 0"},
		},
		{
			name: "JSON patch file moving the namespace",
			kust: "resources:\n- cms.yaml\n- c.yaml\npatchesJson6902:\n- target:\n    version: v1\n    kind: ConfigMap\n    name: c\n  path: ops.yaml\n",
			files: map[string]string{
				"c.yaml":   "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: team\n",
				"ops.yaml": "- op: add\n  path: /metadata/labels\n  value: {x: y}\n- op: move\n  from: /metadata/namespace\n  path: /metadata/labels/ns\n",
			},
			refused: `JSON patch moving "/metadata/namespace"`,
		},
		{
			name:  "JSON patch file on other fields",
			kust:  "resources:\n- cms.yaml\npatches:\n- target:\n    kind: ConfigMap\n  path: ops.yaml\n",
			files: map[string]string{"ops.yaml": "- op: add\n  path: /metadata/labels\n  value: {x: y}\n- op: copy\n  from: /metadata/name\n  path: /metadata/labels/name\n"},
		},
		{
			name:    "strategic merge patch allowed to rename",
			kust:    "resources:\n- cms.yaml\npatches:\n- path: rename.yaml\n  target:\n    name: a\n  options:\n    allowNameChange: true\n",
			files:   map[string]string{"rename.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: renamed\n"},
			refused: "patch allowed to change names or kinds",
		},
		{
			name:  "strategic merge patches",
			kust:  "resources:\n- cms.yaml\npatchesStrategicMerge:\n- smp.yaml\npatches:\n- path: smp.yaml\n",
			files: map[string]string{"smp.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  x: y\n"},
		},
		{
			name:    "replacement writing names",
			kust:    "resources:\n- cms.yaml\nreplacements:\n- source:\n    kind: ConfigMap\n    name: a\n    fieldPath: data.x\n  targets:\n  - select:\n      name: b\n    fieldPaths:\n    - metadata.name\n",
			refused: "replacement writing metadata.name",
		},
		{
			name:    "replacement with the default field path",
			kust:    "resources:\n- cms.yaml\nreplacements:\n- sourceValue: c\n  targets:\n  - select:\n      name: b\n",
			refused: "replacement writing metadata.name",
		},
		{
			name:    "replacements from a file",
			kust:    "resources:\n- cms.yaml\nreplacements:\n- path: repl.yaml\n",
			files:   map[string]string{"repl.yaml": "source:\n  kind: ConfigMap\n  name: a\ntargets:\n- select:\n    name: b\n  fieldPaths:\n  - data.y\n"},
			refused: "replacements from repl.yaml",
		},
		{
			name: "replacement writing data",
			kust: "resources:\n- cms.yaml\nreplacements:\n- sourceValue: c\n  targets:\n  - select:\n      name: b\n    fieldPaths:\n    - data.y\n    - metadata.labels.x\n    options:\n      create: true\n",
		},
		{
			name:    "configuration with name prefix field specs",
			kust:    "namePrefix: p-\nresources:\n- cms.yaml\nconfigurations:\n- conf.yaml\n",
			files:   map[string]string{"conf.yaml": "namePrefix:\n- path: metadata/name\n  kind: ConfigMap\n"},
			refused: "configuration conf.yaml sets namePrefix field specs",
		},
		{
			name:  "configuration with name references",
			kust:  "namePrefix: p-\nresources:\n- cms.yaml\nconfigurations:\n- conf.yaml\n",
			files: map[string]string{"conf.yaml": "nameReference:\n- kind: ConfigMap\n  fieldSpecs:\n  - path: spec/config\n    kind: Widget\n"},
		},
		{
			name:    "transformers",
			kust:    "resources:\n- cms.yaml\ntransformers:\n- |-\n  apiVersion: builtin\n  kind: PrefixSuffixTransformer\n  metadata:\n    name: p\n  prefix: t-\n  fieldSpecs:\n  - path: metadata/name\n",
			refused: "transformers",
			want:    []string{"ConfigMap/t-a ns= app/cms.yaml:1 doc 0", "ConfigMap/t-b ns= app/cms.yaml:8 doc 1"},
		},
		{
			name:    "namespace renaming a Namespace",
			kust:    "namespace: prod\nresources:\n- cms.yaml\n- ns.yaml\n",
			files:   map[string]string{"ns.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: placeholder\n"},
			refused: "",
			want:    []string{"Namespace/prod ns= app/ns.yaml:1 doc 0", "ConfigMap/a ns=prod app/cms.yaml:1 doc 0", "ConfigMap/b ns=prod app/cms.yaml:8 doc 1"},
			better:  true,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			writeFile(t, filepath.Join(root, "app", "kustomization.yaml"), tc.kust)
			writeFile(t, filepath.Join(root, "app", "cms.yaml"), cms)
			for name, content := range tc.files {
				writeFile(t, filepath.Join(root, "app", name), content)
			}
			abs := filepath.Join(root, "app")
			b := &bounds{root: root, maxFile: DefaultMaxFileBytes, maxTotal: DefaultMaxTotalBytes}
			w := &kustWalker{b: b, nodes: map[string]*kustNode{}}
			if err := w.walk(abs); err != nil {
				t.Fatal(err)
			}
			_, err := w.replay(abs)
			switch {
			case tc.refused == "" && err != nil:
				t.Errorf("replay refused: %v", err)
			case tc.refused != "" && (err == nil || !strings.Contains(err.Error(), tc.refused)):
				t.Errorf("replay error = %v, want one containing %q", err, tc.refused)
			}
			want, _ := kustomizeSourceLines(t, root, "app", false)
			got, _ := kustomizeSourceLines(t, root, "app", true)
			if diff := cmp.Diff(want, got); diff != "" && !tc.better {
				t.Errorf("sources (-origin annotations +render):\n%s", diff)
			} else if diff == "" && tc.better {
				t.Error("sources are the ones origin annotations give: drop better")
			}
			if tc.want != nil {
				if diff := cmp.Diff(tc.want, got); diff != "" {
					t.Errorf("sources (-want +got):\n%s", diff)
				}
			}
		})
	}
}

func TestKustomizeReplayHelpers(t *testing.T) {
	t.Run("trimHashSuffix", func(t *testing.T) {
		for name, want := range map[string]string{
			"web-config-t64gfmt2t5": "web-config",
			"a-0123456789":          "a",
			"-0123456789":           "",
			"web-config":            "",
			"web-config-T64gfmt2t5": "",
			"web-config_t64gfmt2t5": "",
		} {
			if got, _ := trimHashSuffix(name); got != want {
				t.Errorf("trimHashSuffix(%q) = %q, want %q", name, got, want)
			}
		}
	})
	t.Run("jsonPointerTouchesID", func(t *testing.T) {
		for p, want := range map[string]bool{
			"": true, "/": true, "/kind": true, "/apiVersion": true, "/metadata": true,
			"/metadata/name": true, "/metadata/namespace": true,
			"/metadata/labels": false, "/metadata/labels/name": false, "/spec/name": false, "/kinds": false,
		} {
			if got := jsonPointerTouchesID(p); got != want {
				t.Errorf("jsonPointerTouchesID(%q) = %v, want %v", p, got, want)
			}
		}
	})
	t.Run("fieldPathTouchesID", func(t *testing.T) {
		for fp, want := range map[string]bool{
			"metadata.name": true, "metadata.namespace": true, "metadata": true, "kind": true,
			"apiVersion": true, "metadata.[name]": true,
			"metadata.labels.name": false, "spec.name": false, "data.kind": false,
		} {
			if got := fieldPathTouchesID(fp); got != want {
				t.Errorf("fieldPathTouchesID(%q) = %v, want %v", fp, got, want)
			}
		}
	})
}

// A base reached through a symlinked directory is named by the path the kustomization uses,
// as origin annotations name it.
func TestKustomizeReplaySymlinkedBase(t *testing.T) {
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "shared", "base", "kustomization.yaml"), "namePrefix: s-\nresources:\n- cm.yaml\n")
	writeFile(t, filepath.Join(root, "shared", "base", "cm.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n")
	writeFile(t, filepath.Join(root, "app", "kustomization.yaml"), "namespace: app\nresources:\n- base\n")
	if err := os.Symlink(filepath.Join("..", "shared", "base"), filepath.Join(root, "app", "base")); err != nil {
		t.Fatal(err)
	}
	want, _ := kustomizeSourceLines(t, root, "app", false)
	got, replayed := kustomizeSourceLines(t, root, "app", true)
	if !replayed {
		t.Error("replay refused")
	}
	if diff := cmp.Diff([]string{"ConfigMap/s-cm ns=app app/base/cm.yaml:1 doc 0"}, got); diff != "" {
		t.Errorf("sources (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("sources (-origin annotations +replay):\n%s", diff)
	}
}
