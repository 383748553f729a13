package pipeline

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wavecheck/wavecheck/internal/manifest"
	"github.com/wavecheck/wavecheck/internal/testfs"
	"github.com/wavecheck/wavecheck/plugin/render"
)

// appRepo is a repository with a chart, a kustomize app with a component, and a directory app.
var appRepo = map[string]string{
	".git/config":            "[core]\n[remote \"origin\"]\n\turl = git@example.com:shop\n",
	"chart/Chart.yaml":       "apiVersion: v2\nname: shop\nversion: 0.1.0\n",
	"chart/values.yaml":      "replicas: 1\ncolor: blue\nlist: []\n",
	"chart/values-prod.yaml": "replicas: 3\n",
	"chart/env/a.yaml":       "tier: a\n",
	"chart/env/b.yaml":       "tier: b\n",
	"chart/files/motd.txt":   "hello",
	"chart/crds/crd.yaml": `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names: {kind: Widget, plural: widgets}
  scope: Namespaced
  versions: [{name: v1, served: true, storage: true}]
`,
	"chart/templates/cm.yaml": `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}
  namespace: {{ .Release.Namespace }}
data:
  replicas: {{ .Values.replicas | quote }}
  color: {{ .Values.color | quote }}
  tier: {{ .Values.tier | default "none" | quote }}
  motd: {{ .Values.motd | default "" | quote }}
  str: {{ kindOf .Values.num | quote }}
  list: {{ .Values.list | toJson | quote }}
`,
	"kust/kustomization.yaml": "resources:\n- deploy.yaml\n",
	"kust/deploy.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx:1.0}]
`,
	"components/extra/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources:\n- cm.yaml\n",
	"components/extra/cm.yaml":            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n",
	"dir/a.yaml":                          "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n",
	"dir/b.yaml":                          "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n",
	"dir/sub/c.yaml":                      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n",
	"dir/extra.txt":                       "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: txt\n",
}

// renderAppYAML writes the Application into the repository and renders it.
func renderAppYAML(t *testing.T, root, app string, repos map[string]string) (*render.Result, error) {
	t.Helper()
	testfs.Write(t, root, map[string]string{"apps/app.yaml": app})
	apps, err := LoadApplications(context.Background(), filepath.Join(root, "apps/app.yaml"), render.Options{})
	if err != nil {
		return nil, err
	}
	return RenderApplication(context.Background(), apps[0], Checkouts{Repos: repos, Current: root}, render.Options{})
}

func cmData(t *testing.T, objs []manifest.Object, name string) map[string]any {
	t.Helper()
	for _, o := range objs {
		if o.Kind() == "ConfigMap" && o.Name() == name {
			d, _ := o.Object["data"].(map[string]any)
			return d
		}
	}
	t.Fatalf("no ConfigMap %s in %v", name, refs(objs))
	return nil
}

func refs(objs []manifest.Object) []string {
	var out []string
	for _, o := range objs {
		s := o.Kind() + "/" + o.Name()
		if ns := o.Namespace(); ns != "" {
			s = ns + "/" + s
		}
		out = append(out, s)
	}
	return out
}

const appHead = `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: shop
  namespace: argocd
spec:
  project: default
  destination: {server: https://kubernetes.default.svc, namespace: prod}
`

// TestApplicationHelm: every spec.source.helm field reaches the render as Argo CD's
// helmTemplate passes it to helm.
func TestApplicationHelm(t *testing.T) {
	tests := []struct {
		name   string
		helm   string
		wantNS string
		cm     string
		want   map[string]any
		crd    bool
	}{
		{name: "defaults: release = app name, namespace = destination", helm: "", wantNS: "prod", cm: "shop",
			want: map[string]any{"replicas": "1", "color": "blue", "tier": "none", "motd": "", "str": "invalid", "list": "[]"}, crd: true},
		{name: "releaseName and namespace", helm: "releaseName: rel\n      namespace: other", wantNS: "other", cm: "rel",
			want: map[string]any{"replicas": "1", "color": "blue", "tier": "none", "motd": "", "str": "invalid", "list": "[]"}, crd: true},
		{name: "valueFiles, then values, then parameters", wantNS: "prod", cm: "shop", crd: true,
			helm: "valueFiles: [values-prod.yaml]\n      values: |\n        color: red\n        replicas: 5\n      parameters:\n      - {name: color, value: green}\n      - {name: num, value: \"7\", forceString: true}\n      - {name: list, value: \"{a,b}\"}",
			want: map[string]any{"replicas": "5", "color": "green", "tier": "none", "motd": "", "str": "string", "list": `["a","b"]`}},
		{name: "valuesObject wins over values", wantNS: "prod", cm: "shop", crd: true,
			helm: "values: 'color: red'\n      valuesObject: {color: pink}",
			want: map[string]any{"replicas": "1", "color": "pink", "tier": "none", "motd": "", "str": "invalid", "list": "[]"}},
		{name: "absolute value file is relative to the repository root, glob in lexical order", wantNS: "prod", cm: "shop", crd: true,
			helm: "valueFiles: [/chart/values-prod.yaml, 'env/*.yaml']",
			want: map[string]any{"replicas": "3", "color": "blue", "tier": "b", "motd": "", "str": "invalid", "list": "[]"}},
		{name: "explicit file keeps its position after a glob", wantNS: "prod", cm: "shop", crd: true,
			helm: "valueFiles: ['env/*.yaml', env/a.yaml]",
			want: map[string]any{"replicas": "1", "color": "blue", "tier": "a", "motd": "", "str": "invalid", "list": "[]"}},
		{name: "ignoreMissingValueFiles, fileParameters, skipCrds", wantNS: "prod", cm: "shop", crd: false,
			helm: "valueFiles: [missing.yaml]\n      ignoreMissingValueFiles: true\n      skipCrds: true\n      fileParameters: [{name: motd, path: files/motd.txt}]",
			want: map[string]any{"replicas": "1", "color": "blue", "tier": "none", "motd": "hello", "str": "invalid", "list": "[]"}},
		{name: "env substitution in parameters", wantNS: "prod", cm: "shop", crd: true,
			helm: "parameters: [{name: color, value: $ARGOCD_APP_NAME-$ARGOCD_APP_NAMESPACE}]",
			want: map[string]any{"replicas": "1", "color": "shop-prod", "tier": "none", "motd": "", "str": "invalid", "list": "[]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := testfs.Tree(t, appRepo)
			src := "  source:\n    repoURL: https://example.com/shop.git\n    path: chart\n"
			if tt.helm != "" {
				src += "    helm:\n      " + tt.helm + "\n"
			}
			res, err := renderAppYAML(t, root, appHead+src, nil)
			if err != nil {
				t.Fatal(err)
			}
			got := cmData(t, res.Objects, tt.cm)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ConfigMap data (-want +got):\n%s", diff)
			}
			for _, o := range res.Objects {
				if o.Kind() == "ConfigMap" && o.Namespace() != tt.wantNS {
					t.Errorf("namespace %q, want %q", o.Namespace(), tt.wantNS)
				}
			}
			if hasCRD := slices.ContainsFunc(res.Objects, func(o manifest.Object) bool { return o.Kind() == "CustomResourceDefinition" }); hasCRD != tt.crd {
				t.Errorf("CRD rendered: %v, want %v", hasCRD, tt.crd)
			}
		})
	}
}

// TestApplicationKustomize: spec.source.kustomize is applied as Argo CD's `kustomize edit`
// commands do, without writing the repository.
func TestApplicationKustomize(t *testing.T) {
	tests := []struct {
		name, kust string
		check      func(t *testing.T, objs []manifest.Object)
	}{
		{"namePrefix, nameSuffix, namespace", "namePrefix: p-\n      nameSuffix: -s\n      namespace: team", func(t *testing.T, objs []manifest.Object) {
			if diff := cmp.Diff([]string{"team/Deployment/p-web-s"}, refs(objs)); diff != "" {
				t.Error(diff)
			}
		}},
		{"images, replicas", "images: [nginx=registry.local/nginx:2.0]\n      replicas: [{name: web, count: 4}]", func(t *testing.T, objs []manifest.Object) {
			spec := objs[0].Object["spec"].(map[string]any)
			if spec["replicas"] != int64(4) {
				t.Errorf("replicas %v", spec["replicas"])
			}
			c := spec["template"].(map[string]any)["spec"].(map[string]any)["containers"].([]any)[0].(map[string]any)
			if c["image"] != "registry.local/nginx:2.0" {
				t.Errorf("image %v", c["image"])
			}
		}},
		{"commonLabels, commonAnnotations (env substituted only with commonAnnotationsEnvsubst)",
			"commonLabels: {team: $ARGOCD_APP_NAME}\n      commonAnnotations: {note: $ARGOCD_APP_NAME}", func(t *testing.T, objs []manifest.Object) {
				if objs[0].Labels()["team"] != "shop" || objs[0].Annotations()["note"] != "$ARGOCD_APP_NAME" {
					t.Errorf("labels %v annotations %v", objs[0].Labels(), objs[0].Annotations())
				}
				sel := objs[0].Object["spec"].(map[string]any)["selector"].(map[string]any)["matchLabels"].(map[string]any)
				if sel["team"] != "shop" {
					t.Errorf("commonLabels reach selectors: %v", sel)
				}
			}},
		{"labelWithoutSelector", "commonLabels: {team: x}\n      labelWithoutSelector: true", func(t *testing.T, objs []manifest.Object) {
			sel := objs[0].Object["spec"].(map[string]any)["selector"].(map[string]any)["matchLabels"].(map[string]any)
			if _, ok := sel["team"]; ok || objs[0].Labels()["team"] != "x" {
				t.Errorf("selector %v labels %v", sel, objs[0].Labels())
			}
		}},
		{"patches, components", "patches:\n      - target: {kind: Deployment}\n        patch: |-\n          - op: replace\n            path: /spec/replicas\n            value: 9\n      components: [../components/extra]", func(t *testing.T, objs []manifest.Object) {
			if diff := cmp.Diff([]string{"ConfigMap/extra", "Deployment/web"}, refs(objs)); diff != "" {
				t.Error(diff)
			}
			for _, o := range objs {
				if o.Kind() == "Deployment" && o.Object["spec"].(map[string]any)["replicas"] != int64(9) {
					t.Errorf("patch not applied: %v", o.Object["spec"])
				}
			}
		}},
		{"ignoreMissingComponents", "components: [../components/none]\n      ignoreMissingComponents: true", func(t *testing.T, objs []manifest.Object) {
			if diff := cmp.Diff([]string{"Deployment/web"}, refs(objs)); diff != "" {
				t.Error(diff)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := testfs.Tree(t, appRepo)
			src := "  source:\n    repoURL: https://example.com/shop.git\n    path: kust\n    kustomize:\n      " + tt.kust + "\n"
			res, err := renderAppYAML(t, root, appHead+src, nil)
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, res.Objects)
		})
	}
}

// TestApplicationDirectory: recurse, include and exclude.
func TestApplicationDirectory(t *testing.T) {
	tests := []struct{ dir, want string }{
		{"", "ConfigMap/a ConfigMap/b"},
		{"recurse: true", "ConfigMap/a ConfigMap/b ConfigMap/c"},
		{"recurse: true\n      include: '{a.yaml,sub/*}'", "ConfigMap/a ConfigMap/c"},
		{"exclude: b.yaml", "ConfigMap/a"},
		// disableExtensionFilter (Argo CD 3.6): the include glob alone selects, so a manifest
		// in a .txt file is read; without it the .txt file is never considered.
		{"include: '{a.yaml,extra.txt}'\n      disableExtensionFilter: true", "ConfigMap/a ConfigMap/txt"},
		{"include: '{a.yaml,extra.txt}'", "ConfigMap/a"},
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			root := testfs.Tree(t, appRepo)
			src := "  source:\n    repoURL: https://example.com/shop.git\n    path: dir\n"
			if tt.dir != "" {
				src += "    directory:\n      " + tt.dir + "\n"
			}
			res, err := renderAppYAML(t, root, appHead+src, nil)
			if err != nil {
				t.Fatal(err)
			}
			got := refs(res.Objects)
			slices.Sort(got)
			if diff := cmp.Diff(strings.Fields(tt.want), got); diff != "" {
				t.Error(diff)
			}
		})
	}
}

// TestApplicationMultiSource: a chart in one repository with values from another ($values),
// the ref-only source rendering nothing.
func TestApplicationMultiSource(t *testing.T) {
	root := testfs.Tree(t, appRepo)
	values := testfs.Tree(t, map[string]string{"envs/prod.yaml": "color: $ARGOCD_APP_NAME\nreplicas: 2\n"})
	app := appHead + `  sources:
  - repoURL: https://example.com/shop.git
    path: chart
    helm:
      valueFiles: [$values/envs/prod.yaml]
  - repoURL: git@example.com:org/values.git
    targetRevision: main
    ref: values
`
	res, err := renderAppYAML(t, root, app, map[string]string{"https://example.com/org/values": values})
	if err != nil {
		t.Fatal(err)
	}
	got := cmData(t, res.Objects, "shop")
	if got["replicas"] != "2" || got["color"] != "$ARGOCD_APP_NAME" {
		t.Errorf("values from the ref source not applied: %v", got)
	}
}

// TestApplicationErrors: bad input is one line naming the file and what to do.
func TestApplicationErrors(t *testing.T) {
	tests := []struct{ name, app, want string }{
		{"not an Application", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n", "not an Argo CD Application"},
		{"$values ref to a missing source", appHead + "  sources:\n  - repoURL: https://example.com/shop.git\n    path: chart\n    helm: {valueFiles: [$values/x.yaml]}\n", `refers to source ref "values", but no source of the app has ref: values`},
		{"repository without a checkout", appHead + "  sources:\n  - repoURL: https://example.com/shop.git\n    path: chart\n  - repoURL: https://example.com/other.git\n    path: dir\n", "no local checkout of https://example.com/other.git"},
		{"several repositories, no origin remote", appHead + "  sources:\n  - repoURL: https://example.com/a.git\n    path: chart\n  - repoURL: https://example.com/b.git\n    path: dir\n", "the app uses 2 repositories and the current one has no origin remote"},
		{"two source types", appHead + "  source:\n    repoURL: https://example.com/shop.git\n    path: chart\n    helm: {releaseName: x}\n    directory: {recurse: true}\n", "multiple application sources defined: Helm,Directory"},
		{"missing path", appHead + "  source:\n    repoURL: https://example.com/shop.git\n    path: nope\n", `path "nope" is not a directory`},
		{"path leaving the repository", appHead + "  source:\n    repoURL: https://example.com/shop.git\n    path: ../..\n", "leaves the repository"},
		{"missing value file", appHead + "  source:\n    repoURL: https://example.com/shop.git\n    path: chart\n    helm: {valueFiles: [nope.yaml]}\n", "nope.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := testfs.Tree(t, appRepo)
			if strings.Contains(tt.name, "no origin") {
				testfs.Write(t, root, map[string]string{".git/config": "[core]\n"})
			}
			_, err := renderAppYAML(t, root, tt.app, nil)
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.want) || !strings.Contains(msg, "app.yaml") || strings.Contains(msg, "\n") {
				t.Errorf("error %q: want one line naming app.yaml and containing %q", msg, tt.want)
			}
		})
	}
}

// TestApplicationSourceOverrides: .argocd-source.yaml and then .argocd-source-<app>.yaml in
// the app directory are merged onto the source (reposerver/repository.mergeSourceParameters);
// repoURL and path stay the Application's.
func TestApplicationSourceOverrides(t *testing.T) {
	root := testfs.Tree(t, appRepo)
	testfs.Write(t, root, map[string]string{
		"chart/.argocd-source.yaml":       "path: elsewhere\nhelm:\n  parameters: [{name: color, value: green}, {name: replicas, value: \"4\"}]\n",
		"chart/.argocd-source-shop.yaml":  "helm:\n  valuesObject: {tier: gold}\n",
		"chart/.argocd-source-other.yaml": "helm:\n  parameters: [{name: color, value: wrong}]\n",
	})
	res, err := renderAppYAML(t, root, appHead+"  source:\n    repoURL: https://example.com/shop.git\n    path: chart\n", nil)
	if err != nil {
		t.Fatal(err)
	}
	got := cmData(t, res.Objects, "shop")
	if got["color"] != "green" || got["replicas"] != "4" || got["tier"] != "gold" {
		t.Errorf("overrides not merged: %v", got)
	}
}
