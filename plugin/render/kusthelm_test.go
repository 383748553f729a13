//go:build !nohelm

package render

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"
)

// TestMain lets the test binary serve as helm when kustomize runs it (helmCharts), as the
// wavecheck binary does (cmd/wavecheck).
func TestMain(m *testing.M) {
	if IsHelmShim() {
		os.Exit(HelmShim(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

const helmChartFiles = `
charts/web/Chart.yaml: |
  apiVersion: v2
  name: web
  version: 1.0.0
charts/web/values.yaml: |
  replicas: 1
  image: nginx
charts/web/crds/widget.yaml: |
  apiVersion: apiextensions.k8s.io/v1
  kind: CustomResourceDefinition
  metadata:
    name: widgets.example.com
  spec:
    group: example.com
    names: {kind: Widget, plural: widgets}
    scope: Namespaced
    versions: [{name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object}}}]
charts/web/templates/deploy.yaml: |
  apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: {{ .Release.Name }}-web
    namespace: {{ .Release.Namespace }}
  spec:
    replicas: {{ .Values.replicas }}
    template:
      spec:
        containers: [{name: web, image: {{ .Values.image | quote }}}]
charts/web/templates/hook.yaml: |
  apiVersion: batch/v1
  kind: Job
  metadata:
    name: {{ .Release.Name }}-migrate
    annotations:
      helm.sh/hook: pre-install
  spec:
    template: {spec: {restartPolicy: Never, containers: [{name: m, image: busybox}]}}
charts/web/templates/test.yaml: |
  apiVersion: v1
  kind: Pod
  metadata:
    name: {{ .Release.Name }}-test
    annotations:
      helm.sh/hook: test
  spec:
    containers: [{name: t, image: busybox}]
extra-values.yaml: |
  image: nginx:1.27
cm.yaml: |
  apiVersion: v1
  kind: ConfigMap
  metadata:
    name: plain
`

// writeTree writes a "path: |" YAML map of files under root.
func writeTree(t *testing.T, root, tree string) {
	t.Helper()
	var files map[string]string
	if err := yaml.Unmarshal([]byte(tree), &files); err != nil {
		t.Fatal(err)
	}
	for p, data := range files {
		writeFile(t, filepath.Join(root, filepath.FromSlash(p)), data)
	}
}

var kustomizeHelmCases = []struct {
	name, kustomization string
}{
	{"defaults", `
helmCharts:
- name: web
  releaseName: shop
`},
	{"namespace values crds no tests with resources and labels", `
resources: [cm.yaml]
commonLabels: {team: shop}
helmCharts:
- name: web
  releaseName: shop
  namespace: prod
  includeCRDs: true
  skipTests: true
  valuesInline: {replicas: 3}
  additionalValuesFiles: [extra-values.yaml]
`},
	{"no hooks and values merged into the chart's", `
helmCharts:
- name: web
  releaseName: shop
  skipHooks: true
  valuesFile: extra-values.yaml
  valuesInline: {replicas: 2}
  valuesMerge: merge
`},
}

// TestKustomizeHelmChartsParity: helmCharts rendered in-process (wavecheck serving as helm)
// equal `kustomize build --enable-helm` running helm v4.3.1.
func TestKustomizeHelmChartsParity(t *testing.T) {
	bin := toolsBin(t)
	for _, tc := range kustomizeHelmCases {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			writeFile(t, filepath.Join(root, ".git", "HEAD"), "ref: refs/heads/main\n")
			app := filepath.Join(root, "app")
			writeTree(t, app, helmChartFiles)
			writeFile(t, filepath.Join(app, "kustomization.yaml"), tc.kustomization)
			want := cliObjects(t, runTool(t, app, filepath.Join(bin, "kustomize"), "build", ".", "--enable-helm", "--helm-command", filepath.Join(bin, "helm")))
			if len(want) == 0 {
				t.Fatal("kustomize build --enable-helm printed no objects")
			}
			res, err := Render(context.Background(), app, Options{EnableHelm: true})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, objectMaps(res.Objects)); diff != "" {
				t.Errorf("in-process render differs from kustomize build --enable-helm (-kustomize +wavecheck):\n%s", diff)
			}
		})
	}
}

func TestKustomizeHelmChartsErrors(t *testing.T) {
	tests := []struct {
		name, kustomization string
		opts                Options
		want                string
	}{
		{"without enable-helm", "helmCharts:\n- name: web\n  releaseName: shop\n", Options{}, "helmCharts need --enable-helm"},
		{"remote chart", "helmCharts:\n- name: nginx\n  repo: https://charts.example.com\n  version: 1.0.0\n  releaseName: x\n", Options{EnableHelm: true}, `refuse remote helm chart repository "https://charts.example.com": remote resources are disabled`},
		{"remote chart allowed", "helmCharts:\n- name: nginx\n  repo: https://charts.example.com\n  version: 1.0.0\n  releaseName: x\n", Options{EnableHelm: true, AllowRemote: true}, "pulling a remote chart"},
		{"no release name", "helmCharts:\n- name: web\n", Options{EnableHelm: true}, "set releaseName"},
		{"values file outside the repository", "helmCharts:\n- name: web\n  releaseName: shop\n  additionalValuesFiles: [/etc/hostname]\n", Options{EnableHelm: true}, "escapes the repository root"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			writeFile(t, filepath.Join(root, ".git", "HEAD"), "ref: refs/heads/main\n")
			app := filepath.Join(root, "app")
			writeTree(t, app, helmChartFiles)
			writeFile(t, filepath.Join(app, "kustomization.yaml"), tt.kustomization)
			_, err := Render(context.Background(), app, tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if _, err := os.Stat(filepath.Join(app, "charts", "nginx-1.0.0")); err == nil {
				t.Error("a chart was pulled into the repository")
			}
		})
	}
}
