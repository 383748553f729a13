//go:build !nohelm

package render

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wavecheck/wavecheck/internal/testfs"
)

// helmArgsChart exercises the values Argo CD passes: files, inline values, --set,
// --set-string, --set-file, CRDs and a test hook.
var helmArgsChart = map[string]string{
	"Chart.yaml":          "apiVersion: v2\nname: shop\nversion: 0.1.0\n",
	"values.yaml":         "replicas: 1\ncolor: blue\n",
	"values-prod.yaml":    "replicas: 3\n",
	"extra.yaml":          "color: red\nlist: [x]\n",
	"files/motd.txt":      "hello, world",
	"crds/crd.yaml":       "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.example.com\n",
	"templates/cm.yaml":   "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n  namespace: {{ .Release.Namespace }}\ndata:\n  replicas: {{ .Values.replicas | quote }}\n  color: {{ .Values.color | quote }}\n  num: {{ kindOf .Values.num | quote }}\n  motd: {{ .Values.motd | default \"\" | quote }}\n  list: {{ .Values.list | toJson | quote }}\n",
	"templates/test.yaml": "apiVersion: v1\nkind: Pod\nmetadata:\n  name: t\n  annotations: {helm.sh/hook: test}\nspec: {containers: [{name: t, image: busybox}]}\n",
}

// TestHelmArgsParity: the options an Application's helm settings become give what `helm
// template` gives with the arguments Argo CD's util/helm.Cmd.template builds from them.
func TestHelmArgsParity(t *testing.T) {
	helm := filepath.Join(toolsBin(t), "helm")
	tests := []struct {
		name string
		opts Options
		args []string
	}{
		{"values files, extra values, set, set-string, set-file",
			Options{ReleaseName: "shop", Namespace: "prod", ValueFiles: []string{"values-prod.yaml"}, Values: "color: red\nlist: [x]\n",
				Set: []string{`color=green\,blue`, "list={a,b}"}, SetString: []string{"num=7"}, SetFile: []string{"motd=files/motd.txt"}},
			[]string{"--name-template", "shop", "--namespace", "prod", "--set", `color=green\,blue`, "--set", "list={a,b}", "--set-string", "num=7", "--set-file", "motd=files/motd.txt", "--values", "values-prod.yaml", "--values", "extra.yaml", "--include-crds"}},
		{"skipCrds, skipTests", Options{ReleaseName: "r", Namespace: "ns", SkipCRDs: true, SkipTests: true},
			[]string{"--name-template", "r", "--namespace", "ns", "--skip-tests"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := testfs.Tree(t, helmArgsChart)
			if err := os.Mkdir(filepath.Join(root, ".git"), 0o755); err != nil {
				t.Fatal(err)
			}
			res, err := Render(context.Background(), root, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			want := cliObjects(t, runTool(t, root, helm, append([]string{"template", "."}, tt.args...)...))
			if diff := cmp.Diff(want, objectMaps(res.Objects)); diff != "" {
				t.Errorf("objects differ from helm template (-helm +wavecheck):\n%s", diff)
			}
		})
	}
}
