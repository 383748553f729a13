package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wavecheck/wavecheck/internal/testfs"
	"github.com/wavecheck/wavecheck/internal/testfs/chartrepo"
	"github.com/wavecheck/wavecheck/plugin/render"
)

// shopChart is version v of chart "shop" as a Helm repository serves it.
func shopChart(v string) map[string]string {
	return map[string]string{
		"values.yaml":      "replicas: 1\ncolor: blue\n",
		"values-prod.yaml": "replicas: 3\n",
		"files/motd.txt":   "hello",
		"templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n  namespace: {{ .Release.Namespace }}\ndata:\n" +
			"  version: " + v + "\n  replicas: {{ .Values.replicas | quote }}\n  color: {{ .Values.color | quote }}\n" +
			"  tier: {{ .Values.tier | default \"none\" | quote }}\n  motd: {{ .Values.motd | default \"\" | quote }}\n",
	}
}

// TestApplicationHelmRepo: a source with a chart is pulled from its Helm repository at the
// version targetRevision resolves to and rendered with the Application's helm settings as a
// chart of Git is: values files relative to the chart (an absolute one relative to the chart
// too, the extracted chart being the repo-server's root), $ref values files from another
// source's checkout; objects keep Helm's template names.
func TestApplicationHelmRepo(t *testing.T) {
	repo := chartrepo.New(t, "", "",
		chartrepo.Chart("shop", "0.1.0", shopChart("0.1.0")),
		chartrepo.Chart("shop", "0.2.0", shopChart("0.2.0")),
		chartrepo.Chart("shop", "1.0.0", shopChart("1.0.0")))
	tests := []struct {
		name, spec string
		cm         string
		want       map[string]string
		wantErr    string
		noOrigin   bool
	}{
		{name: "defaults: release = app name", cm: "shop",
			spec: "  source: {repoURL: " + repo.URL + ", chart: shop, targetRevision: 0.1.0}\n",
			want: map[string]string{"version": "0.1.0", "replicas": "1", "color": "blue", "tier": "none", "motd": ""}},
		{name: "constraint, releaseName, valueFiles of the chart, valuesObject, parameters, fileParameters", cm: "rel",
			spec: "  source:\n    repoURL: " + repo.URL + "\n    chart: shop\n    targetRevision: '0.*'\n    helm:\n      releaseName: rel\n" +
				"      valueFiles: [values-prod.yaml]\n      valuesObject: {color: pink}\n      parameters: [{name: tier, value: $ARGOCD_APP_NAME}]\n" +
				"      fileParameters: [{name: motd, path: files/motd.txt}]\n",
			want: map[string]string{"version": "0.2.0", "replicas": "3", "color": "pink", "tier": "shop", "motd": "hello"}},
		{name: "an absolute value file is relative to the extracted chart", cm: "shop",
			spec: "  source: {repoURL: " + repo.URL + ", chart: shop, targetRevision: '*', helm: {valueFiles: [/values-prod.yaml]}}\n",
			want: map[string]string{"version": "1.0.0", "replicas": "3", "color": "blue", "tier": "none", "motd": ""}},
		{name: "multi-source: $values from the Git source", cm: "shop",
			spec: "  sources:\n  - {repoURL: " + repo.URL + ", chart: shop, targetRevision: '>=0.1 <1', helm: {valueFiles: [$values/envs/prod.yaml]}}\n" +
				"  - {repoURL: 'git@example.com:shop', ref: values}\n",
			want: map[string]string{"version": "0.2.0", "replicas": "1", "color": "green", "tier": "prod", "motd": ""}},
		{name: "multi-source without an origin remote: the chart's repository needs no checkout", cm: "shop", noOrigin: true,
			spec: "  sources:\n  - {repoURL: " + repo.URL + ", chart: shop, targetRevision: 0.1.0, helm: {valueFiles: [$values/envs/prod.yaml]}}\n" +
				"  - {repoURL: 'https://example.com/values.git', ref: values}\n",
			want: map[string]string{"version": "0.1.0", "replicas": "1", "color": "green", "tier": "prod", "motd": ""}},
		{name: "a value file leaving the chart", spec: "  source: {repoURL: " + repo.URL + ", chart: shop, targetRevision: 0.1.0, helm: {valueFiles: [../../x.yaml]}}\n",
			wantErr: "resolved to outside repository root"},
		{name: "no version matches", spec: "  source: {repoURL: " + repo.URL + ", chart: shop, targetRevision: '2.*'}\n",
			wantErr: `apps/app.yaml: application shop, spec.source: chart shop from ` + repo.URL + `: no version matches targetRevision "2.*" (the newest of 3 versions is 1.0.0)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := testfs.Tree(t, appRepo)
			testfs.Write(t, root, map[string]string{"envs/prod.yaml": "color: green\ntier: prod\n", "apps/app.yaml": appHead + tt.spec})
			if tt.noOrigin {
				testfs.Write(t, root, map[string]string{".git/config": "[core]\n"})
			}
			file := filepath.Join(root, "apps", "app.yaml")
			apps, err := LoadApplications(context.Background(), file, render.Options{})
			if err != nil {
				t.Fatal(err)
			}
			cache := t.TempDir()
			opts := render.Options{Dependencies: render.Dependencies{Fetch: true, CacheDir: cache, RepositoryConfig: filepath.Join(t.TempDir(), "none.yaml")}}
			res, err := RenderApplication(context.Background(), apps[0], Checkouts{Current: root}, opts)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for k, v := range cmData(t, res.Objects, tt.cm) {
				got[k], _ = v.(string)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ConfigMap data (-want +got):\n%s", diff)
			}
			if f := res.Objects[0].Source.File; f != "shop/templates/cm.yaml" {
				t.Errorf("source file %q, want Helm's template name", f)
			}
			if resolved, _ := filepath.EvalSymlinks(root); res.RepoRoot != resolved {
				t.Errorf("RepoRoot %s, want the Application's repository %s", res.RepoRoot, resolved)
			}
			// The extracted chart is removed; only the cached archive and version list stay.
			ents, err := os.ReadDir(cache)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range ents {
				if e.Name() != "charts" {
					t.Errorf("cache holds %s after the render", e.Name())
				}
			}
		})
	}
}
