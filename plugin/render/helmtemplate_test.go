//go:build !nohelm

package render

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"helm.sh/helm/v4/pkg/action"
	"helm.sh/helm/v4/pkg/chart/common"
	"helm.sh/helm/v4/pkg/chart/loader/archive"
	chartv2 "helm.sh/helm/v4/pkg/chart/v2"
	"helm.sh/helm/v4/pkg/chart/v2/loader"
	"helm.sh/helm/v4/pkg/release"
	rv1 "helm.sh/helm/v4/pkg/release/v1"
)

// TestHelmTemplateMatchesAction is the differential test of helmTemplate, wavecheck's copy of
// the client-only path of Helm's install action (helm.sh/helm/v4/pkg/action
// Install.RunWithContext with DryRunClient, IncludeCRDs and Replace, as `helm template` and
// wavecheck before it ran it): same manifest, same hooks in the same order, same error, on
// charts exercising every step (dependencies and conditions, NOTES.txt, schema validation,
// kubeVersion constraints, release name checks, CRDs, hook ordering, capabilities). The test
// may link the action package; the binary must not (cli.TestSidecarImports).
func TestHelmTemplateMatchesAction(t *testing.T) {
	chartYAML := "apiVersion: v2\nname: demo\nversion: 0.1.0\n"
	cm := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-cm\n  namespace: {{ .Release.Namespace }}\ndata:\n  v: {{ .Values.v | quote }}\n  kube: {{ .Capabilities.KubeVersion.Version | quote }}\n  monitoring: {{ .Capabilities.APIVersions.Has \"monitoring.coreos.com/v1\" | quote }}\n"
	hook := func(name, typ, weight string) string {
		return "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: " + name + "\n  annotations:\n    helm.sh/hook: " + typ + "\n    helm.sh/hook-weight: \"" + weight + "\"\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: c, image: busybox}]\n"
	}
	for _, tc := range []struct {
		name    string
		files   map[string]string
		vals    map[string]any
		release string
		kube    string
		apis    []string
	}{
		{name: "plain", files: map[string]string{"Chart.yaml": chartYAML, "values.yaml": "v: one\n", "templates/cm.yaml": cm}},
		{name: "values override", files: map[string]string{"Chart.yaml": chartYAML, "values.yaml": "v: one\n", "templates/cm.yaml": cm}, vals: map[string]any{"v": "two"}},
		{name: "capabilities", files: map[string]string{"Chart.yaml": chartYAML, "templates/cm.yaml": cm}, kube: "1.31.2", apis: []string{"monitoring.coreos.com/v1"}},
		{name: "notes and empty templates", files: map[string]string{"Chart.yaml": chartYAML, "templates/cm.yaml": cm, "templates/NOTES.txt": "hello {{ .Release.Name }}\n", "templates/empty.yaml": "{{- if false }}\nx: y\n{{- end }}\n", "templates/_helpers.tpl": "{{ define \"x\" }}y{{ end }}\n"}},
		{name: "hooks in weight order", files: map[string]string{"Chart.yaml": chartYAML, "templates/cm.yaml": cm,
			"templates/a.yaml": hook("a", "pre-install", "5"), "templates/b.yaml": hook("b", "pre-install,post-install", "-1"),
			"templates/c.yaml": hook("c", "post-install", "0") + "---\n" + hook("d", "test", "0")}},
		{name: "crds first", files: map[string]string{"Chart.yaml": chartYAML, "templates/cm.yaml": cm,
			"crds/w.yaml": "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.example.com\n"}},
		{name: "install order", files: map[string]string{"Chart.yaml": chartYAML,
			"templates/all.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: n\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: s\n"}},
		{name: "subcharts and conditions", files: map[string]string{
			"Chart.yaml":           chartYAML + "dependencies:\n  - name: on\n    version: 0.1.0\n    condition: on.enabled\n  - name: off\n    version: 0.1.0\n    condition: off.enabled\n",
			"values.yaml":          "on:\n  enabled: true\n  v: sub\noff:\n  enabled: false\n",
			"templates/cm.yaml":    cm,
			"charts/on/Chart.yaml": "apiVersion: v2\nname: on\nversion: 0.1.0\n", "charts/on/templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: on-{{ .Values.v }}\n",
			"charts/off/Chart.yaml": "apiVersion: v2\nname: off\nversion: 0.1.0\n", "charts/off/templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: off\n",
		}},
		{name: "schema valid", files: map[string]string{"Chart.yaml": chartYAML, "values.yaml": "v: one\n", "templates/cm.yaml": cm,
			"values.schema.json": `{"type":"object","properties":{"v":{"type":"string"}},"required":["v"]}`}},
		{name: "schema invalid", files: map[string]string{"Chart.yaml": chartYAML, "values.yaml": "v: 3\n", "templates/cm.yaml": cm,
			"values.schema.json": `{"type":"object","properties":{"v":{"type":"string"}},"required":["v"]}`}},
		{name: "kubeVersion incompatible", files: map[string]string{"Chart.yaml": chartYAML + "kubeVersion: \">=1.40.0\"\n", "templates/cm.yaml": cm}, kube: "1.31.0"},
		{name: "kubeVersion compatible", files: map[string]string{"Chart.yaml": chartYAML + "kubeVersion: \">=1.20.0-0\"\n", "templates/cm.yaml": cm}},
		{name: "bad release name", files: map[string]string{"Chart.yaml": chartYAML, "templates/cm.yaml": cm}, release: "Not_Valid"},
		{name: "template error", files: map[string]string{"Chart.yaml": chartYAML, "templates/cm.yaml": "{{ fail \"boom\" }}\n"}},
		{name: "unparsable manifest", files: map[string]string{"Chart.yaml": chartYAML, "templates/cm.yaml": "a: [\n"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			load := func() *chartv2.Chart {
				var files []*archive.BufferedFile
				for n, d := range tc.files {
					files = append(files, &archive.BufferedFile{Name: n, Data: []byte(d)})
				}
				ch, err := loader.LoadFiles(files)
				if err != nil {
					t.Fatal(err)
				}
				return ch
			}
			name := tc.release
			if name == "" {
				name = "rel"
			}
			var kv *common.KubeVersion
			if tc.kube != "" {
				var err error
				if kv, err = common.ParseKubeVersion(tc.kube); err != nil {
					t.Fatal(err)
				}
			}
			vals := func() map[string]any {
				out := map[string]any{}
				for k, v := range tc.vals {
					out[k] = v
				}
				return out
			}

			inst := action.NewInstall(action.NewConfiguration())
			inst.DryRunStrategy = action.DryRunClient
			inst.Replace = true
			inst.IncludeCRDs = true
			inst.ReleaseName = name
			inst.Namespace = "ns"
			inst.KubeVersion = kv
			inst.APIVersions = common.VersionSet(tc.apis)
			var wantManifest string
			var wantHooks []helmHook
			rel, wantErr := inst.RunWithContext(context.Background(), load(), vals())
			if wantErr == nil {
				acc, err := release.NewAccessor(rel)
				if err != nil {
					t.Fatal(err)
				}
				wantManifest = acc.Manifest()
				for _, h := range acc.Hooks() {
					ha, err := release.NewHookAccessor(h)
					if err != nil {
						t.Fatal(err)
					}
					v1, _ := h.(*rv1.Hook)
					wantHooks = append(wantHooks, helmHook{path: ha.Path(), manifest: ha.Manifest(),
						test: v1 != nil && slices.Contains(v1.Events, rv1.HookTest)})
				}
			}

			ht := helmTemplate{releaseName: name, namespace: "ns", kubeVersion: kv, apiVersions: common.VersionSet(tc.apis), includeCRDs: true}
			gotManifest, gotHooks, gotErr := ht.render(context.Background(), load(), vals())
			if (gotErr == nil) != (wantErr == nil) || (gotErr != nil && gotErr.Error() != wantErr.Error()) {
				t.Fatalf("error: got %v, Helm's install action %v", gotErr, wantErr)
			}
			if wantErr != nil {
				return
			}
			if diff := cmp.Diff(wantManifest, gotManifest); diff != "" {
				t.Errorf("manifest (-action +wavecheck):\n%s", diff)
			}
			if diff := cmp.Diff(wantHooks, gotHooks, cmp.AllowUnexported(helmHook{}), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("hooks (-action +wavecheck):\n%s", diff)
			}
			if strings.TrimSpace(gotManifest) == "" && len(gotHooks) == 0 {
				t.Errorf("nothing rendered")
			}
		})
	}
}
