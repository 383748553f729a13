package render

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wavecheck/wavecheck/internal/testfs"
)

// kustEditRepo is a kustomize app with an image already overridden, replicas, labels and a
// component, to edit as Argo CD does.
var kustEditRepo = map[string]string{
	"app/kustomization.yaml": `resources:
- deploy.yaml
images:
- name: redis
  newTag: "6"
commonLabels:
  team: a
`,
	"app/deploy.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx:1.0}, {name: cache, image: redis}]
`,
	"components/extra/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources:\n- cm.yaml\n",
	"components/extra/cm.yaml":            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n",
}

// TestKustomizeEditsParity: the Application's kustomize settings applied in-memory give what
// `kustomize edit ...` (the commands Argo CD's util/kustomize.Build runs, v5.8.3) followed by
// `kustomize build` gives on a copy.
func TestKustomizeEditsParity(t *testing.T) {
	kustomize := filepath.Join(toolsBin(t), "kustomize")
	tests := []struct {
		name  string
		edits KustomizeEdits
		cmds  [][]string
	}{
		{"nameprefix, namesuffix, namespace", KustomizeEdits{NamePrefix: "p-", NameSuffix: "-s", Namespace: "team"},
			[][]string{{"edit", "set", "nameprefix", "--", "p-"}, {"edit", "set", "namesuffix", "--", "-s"}, {"edit", "set", "namespace", "--", "team"}}},
		{"images: new entries, replace, keep with *", KustomizeEdits{Images: []string{"nginx=registry/nginx:2.0", "redis=*:7@sha256:0000000000000000000000000000000000000000000000000000000000000000"}},
			[][]string{{"edit", "set", "image", "nginx=registry/nginx:2.0", "redis=*:7@sha256:0000000000000000000000000000000000000000000000000000000000000000"}}},
		{"replicas", KustomizeEdits{Replicas: []string{"web=4"}}, [][]string{{"edit", "set", "replicas", "web=4"}}},
		{"labels with --force, annotations", KustomizeEdits{CommonLabels: map[string]string{"team": "b", "tier": "web"}, ForceCommonLabels: true, CommonAnnotations: map[string]string{"note": `"quoted"`}},
			[][]string{{"edit", "add", "label", "--force", "team:b", "tier:web"}, {"edit", "add", "annotation", "note:\"quoted\""}}},
		{"labels without selector, with templates", KustomizeEdits{CommonLabels: map[string]string{"env": "prod"}, LabelWithoutSelector: true, LabelIncludeTemplates: true},
			[][]string{{"edit", "add", "label", "--without-selector", "--include-templates", "env:prod"}}},
		{"components", KustomizeEdits{Components: []string{"../components/extra"}}, [][]string{{"edit", "add", "component", "../components/extra"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ours := testfs.Tree(t, kustEditRepo)
			if err := os.Mkdir(filepath.Join(ours, ".git"), 0o755); err != nil {
				t.Fatal(err)
			}
			res, err := Render(context.Background(), filepath.Join(ours, "app"), Options{Edits: tt.edits})
			if err != nil {
				t.Fatal(err)
			}
			if data, _ := os.ReadFile(filepath.Join(ours, "app/kustomization.yaml")); string(data) != kustEditRepo["app/kustomization.yaml"] {
				t.Errorf("the kustomization was written:\n%s", data)
			}
			theirs := testfs.Tree(t, kustEditRepo)
			for _, c := range tt.cmds {
				runTool(t, filepath.Join(theirs, "app"), kustomize, c...)
			}
			want := cliObjects(t, runTool(t, filepath.Join(theirs, "app"), kustomize, "build"))
			if diff := cmp.Diff(want, objectMaps(res.Objects)); diff != "" {
				edited, _ := os.ReadFile(filepath.Join(theirs, "app/kustomization.yaml"))
				t.Errorf("objects differ from kustomize edit + build (-kustomize +wavecheck):\n%s\nkustomization after kustomize edit:\n%s", diff, edited)
			}
		})
	}
}
