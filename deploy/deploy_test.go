package deploy_test

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"helm.sh/helm/v4/pkg/action"
	"helm.sh/helm/v4/pkg/chart/v2/loader"
	"helm.sh/helm/v4/pkg/release"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"

	"github.com/wavecheck/wavecheck/plugin/sidecar"
)

// Paths from Argo CD's sidecar conventions (docs: config-management-plugins).
const (
	varFiles      = "/var/run/argocd"
	pluginSockets = "/home/argocd/cmp-server/plugins"
	pluginConfig  = "/home/argocd/cmp-server/config/plugin.yaml"
	// discoveryPlugin is plugin.yaml with discovery on (the opt-in kustomize component; the
	// chart's discovery: true ships a copy).
	discoveryPlugin = "kustomize/discovery/plugin.yaml"
	cmpServer       = "/var/run/argocd/argocd-cmp-server"
)

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// pluginSpec is the part of Argo CD's PluginConfig the checks need.
type pluginSpec struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name string `json:"name"`
	} `json:"metadata"`
	Spec struct {
		Version  string                      `json:"version"`
		Init     *struct{ Command []string } `json:"init"`
		Generate struct {
			Command []string `json:"command"`
			Args    []string `json:"args"`
		} `json:"generate"`
		Discover *struct {
			Find struct {
				Command []string `json:"command"`
			} `json:"find"`
		} `json:"discover"`
		Parameters struct {
			Dynamic struct {
				Command []string `json:"command"`
			} `json:"dynamic"`
			Static []sidecar.Announcement `json:"static"`
		} `json:"parameters"`
	} `json:"spec"`
}

func parsePlugin(t *testing.T, data string) pluginSpec {
	t.Helper()
	var p pluginSpec
	if err := yaml.UnmarshalStrict([]byte(data), &p); err != nil {
		t.Fatalf("parse plugin.yaml: %v", err)
	}
	return p
}

func TestPluginYAML(t *testing.T) {
	p := parsePlugin(t, readFile(t, "../plugin.yaml"))
	// Fleet-safe: no discover block, only Applications naming the plugin use it.
	got := []any{p.APIVersion, p.Kind, p.Metadata.Name, p.Spec.Version, p.Spec.Init == nil,
		p.Spec.Generate.Command, p.Spec.Discover == nil, p.Spec.Parameters.Dynamic.Command}
	want := []any{"argoproj.io/v1alpha1", "ConfigManagementPlugin", "wavecheck", "v1", true,
		[]string{"wavecheck", "generate"}, true, []string{"wavecheck", "parameters"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("plugin.yaml mismatch (-want +got):\n%s", diff)
	}
	// The opt-in variant is the same plugin plus `discover: find: command: [wavecheck, discover]`.
	d := parsePlugin(t, readFile(t, discoveryPlugin))
	if d.Spec.Discover == nil || !slices.Equal(d.Spec.Discover.Find.Command, []string{"wavecheck", "discover"}) {
		t.Errorf("%s: discover = %+v, want find.command [wavecheck discover]", discoveryPlugin, d.Spec.Discover)
	}
	d.Spec.Discover = nil
	if diff := cmp.Diff(p, d); diff != "" {
		t.Errorf("%s differs from plugin.yaml beyond its discover block (-plugin.yaml +discovery):\n%s", discoveryPlugin, diff)
	}
	// Static announcements must be real parameters and must not repeat dynamic ones (Argo CD
	// would list both).
	dynamic := map[string]bool{}
	chart := t.TempDir()
	if err := os.WriteFile(filepath.Join(chart, "Chart.yaml"), []byte("apiVersion: v2\nname: x\nversion: 0.1.0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{t.TempDir(), chart} {
		for _, a := range sidecar.Announce(dir, sidecar.ParseEnv(nil)) {
			dynamic[a.Name] = true
		}
	}
	for _, a := range p.Spec.Parameters.Static {
		if dynamic[a.Name] {
			t.Errorf("static parameter %q is also announced dynamically", a.Name)
		}
		env := []string{`ARGOCD_APP_PARAMETERS=[{"name":"` + a.Name + `","` + collection(a) + `":` + sample(a) + `}]`}
		if _, err := sidecar.Resolve(sidecar.ParseEnv(env)); err != nil {
			t.Errorf("static parameter %q is not accepted by generate: %v", a.Name, err)
		}
	}
}

func collection(a sidecar.Announcement) string {
	if a.CollectionType == "" {
		return "string"
	}
	return a.CollectionType
}

func sample(a sidecar.Announcement) string {
	switch a.CollectionType {
	case "array":
		return `["x"]`
	case "map":
		return `{"k":"v"}`
	}
	if a.ItemType == "boolean" {
		return `"true"`
	}
	return `"x"`
}

func TestPluginYAMLCopies(t *testing.T) {
	copies := map[string][]string{
		"../plugin.yaml": {"../charts/wavecheck/files/plugin.yaml", "kustomize/plugin.yaml"},
		discoveryPlugin:  {"../charts/wavecheck/files/plugin-discovery.yaml"},
	}
	for src, dsts := range copies {
		want := readFile(t, src)
		for _, p := range dsts {
			if diff := cmp.Diff(want, readFile(t, p)); diff != "" {
				t.Errorf("%s differs from %s (copy it again) (-want +got):\n%s", p, src, diff)
			}
		}
	}
}

// rendered is a chart rendered like `helm install --dry-run`: its objects and NOTES.txt.
type rendered struct {
	objs  []map[string]any
	notes string
}

// renderChart renders charts/wavecheck with the Helm SDK like `helm template` (values are
// checked against values.schema.json, as helm install does).
func renderChart(t *testing.T, vals map[string]any) (rendered, error) {
	t.Helper()
	ch, err := loader.Load("../charts/wavecheck")
	if err != nil {
		t.Fatalf("load chart: %v", err)
	}
	inst := action.NewInstall(action.NewConfiguration())
	inst.DryRunStrategy = action.DryRunClient
	inst.ReleaseName = "wavecheck"
	inst.Namespace = "argocd"
	rel, err := inst.RunWithContext(context.Background(), ch, vals)
	if err != nil {
		return rendered{}, err
	}
	acc, err := release.NewAccessor(rel)
	if err != nil {
		t.Fatal(err)
	}
	return rendered{objs: splitYAML(t, acc.Manifest()), notes: acc.Notes()}, nil
}

func splitYAML(t *testing.T, stream string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, doc := range regexp.MustCompile(`(?m)^---\s*$`).Split(stream, -1) {
		var obj map[string]any
		if err := yaml.Unmarshal([]byte(doc), &obj); err != nil {
			t.Fatalf("parse rendered document: %v\n%s", err, doc)
		}
		if obj != nil {
			out = append(out, obj)
		}
	}
	return out
}

func byKindName(objs []map[string]any, kind, name string) map[string]any {
	for _, o := range objs {
		md, _ := o["metadata"].(map[string]any)
		if o["kind"] == kind && md["name"] == name {
			return o
		}
	}
	return nil
}

func data(o map[string]any) map[string]any {
	d, _ := o["data"].(map[string]any)
	return d
}

// chartLabels are the labels every object of the chart carries (Kubernetes' recommended
// app.kubernetes.io/* set and Helm's chart label).
var chartLabels = map[string]any{
	"app.kubernetes.io/name":       "wavecheck",
	"app.kubernetes.io/instance":   "wavecheck",
	"app.kubernetes.io/version":    "0.1.0",
	"app.kubernetes.io/component":  "config-management-plugin",
	"app.kubernetes.io/part-of":    "argocd",
	"app.kubernetes.io/managed-by": "Helm",
	"helm.sh/chart":                "wavecheck-0.1.0",
}

func TestChart(t *testing.T) {
	root := readFile(t, "../plugin.yaml")
	rego := "package main\n\nimport rego.v1\n\ndeny contains msg if {\n  input.kind == \"Job\"\n  msg := \"no Jobs\"\n}\n"
	tests := []struct {
		name string
		vals map[string]any
		// plugin is the ConfigMap holding plugin.yaml; discover whether it keeps discovery.
		plugin   string
		discover bool
		// policies is the policy ConfigMap's data, nil for none.
		policies map[string]any
		notes    []string
		wantErr  string
	}{
		{
			// Fleet-safe default: the plugin only serves Applications that name it.
			name: "defaults", plugin: "wavecheck-plugin",
			notes: []string{"does NOT run wavecheck", "argocd-repo-server", "deploy/argo-cd/values.yaml", "ghcr.io/wavecheck/wavecheck:v0.1.0", "Discovery is OFF", "name: wavecheck-v1", "--set discovery=true"},
		},
		{
			name: "discovery opt-in", vals: map[string]any{"discovery": true, "pluginConfigMap": map[string]any{"name": "cmp-wavecheck"}},
			plugin: "cmp-wavecheck", discover: true,
			notes: []string{"does NOT run wavecheck", "Discovery is ON", "ConfigMap cmp-wavecheck"},
		},
		{
			name: "policies", vals: map[string]any{"policies": map[string]any{"create": true, "files": map[string]any{"team.rego": rego}}},
			plugin: "wavecheck-plugin", policies: map[string]any{"team.rego": rego},
			notes: []string{"policy ConfigMap wavecheck-policies"},
		},
		{
			name: "policies without files", vals: map[string]any{"policies": map[string]any{"create": true}},
			wantErr: "policies.create is true but policies.files is empty",
		},
		// values.schema.json: a misspelt or mistyped value fails instead of being ignored.
		{name: "misspelt value", vals: map[string]any{"discover": true}, wantErr: "additional properties 'discover' not allowed"},
		{name: "discovery as a string", vals: map[string]any{"discovery": "true"}, wantErr: "discovery"},
		{name: "policy file not .rego", vals: map[string]any{"policies": map[string]any{"create": true, "files": map[string]any{"team.txt": rego}}}, wantErr: "team.txt"},
		{name: "bad ConfigMap name", vals: map[string]any{"pluginConfigMap": map[string]any{"name": "Wave_Check"}}, wantErr: "pluginConfigMap"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := renderChart(t, tc.vals)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := 1
			if tc.policies != nil {
				want = 2
			}
			if len(r.objs) != want {
				t.Fatalf("got %d objects, want %d", len(r.objs), want)
			}
			cm := byKindName(r.objs, "ConfigMap", tc.plugin)
			if cm == nil {
				t.Fatalf("no ConfigMap %s", tc.plugin)
			}
			wantPlugin, wantFile := root, "plugin.yaml"
			if tc.discover {
				wantPlugin, wantFile = readFile(t, discoveryPlugin), discoveryPlugin
			}
			if diff := cmp.Diff(wantPlugin, data(cm)["plugin.yaml"]); diff != "" {
				t.Errorf("ConfigMap plugin.yaml differs from %s (-want +got):\n%s", wantFile, diff)
			}
			if tc.policies != nil {
				pc := byKindName(r.objs, "ConfigMap", "wavecheck-policies")
				if pc == nil {
					t.Fatal("no ConfigMap wavecheck-policies")
				}
				if diff := cmp.Diff(tc.policies, data(pc)); diff != "" {
					t.Errorf("policy ConfigMap mismatch (-want +got):\n%s", diff)
				}
			}
			for _, o := range r.objs {
				md := o["metadata"].(map[string]any)
				if md["namespace"] != "argocd" {
					t.Errorf("%s namespace = %v, want argocd", md["name"], md["namespace"])
				}
				if diff := cmp.Diff(chartLabels, md["labels"]); diff != "" {
					t.Errorf("%s labels mismatch (-want +got):\n%s", md["name"], diff)
				}
			}
			for _, n := range tc.notes {
				if !strings.Contains(r.notes, n) {
					t.Errorf("NOTES.txt lacks %q:\n%s", n, r.notes)
				}
			}
		})
	}
}

// container is the part of a container spec the checks need.
type container struct {
	Name            string   `json:"name"`
	Image           string   `json:"image"`
	Command         []string `json:"command"`
	SecurityContext struct {
		RunAsNonRoot *bool  `json:"runAsNonRoot"`
		RunAsUser    *int64 `json:"runAsUser"`
	} `json:"securityContext"`
	VolumeMounts []struct {
		Name      string `json:"name"`
		MountPath string `json:"mountPath"`
		SubPath   string `json:"subPath"`
	} `json:"volumeMounts"`
}

type volume struct {
	Name      string `json:"name"`
	ConfigMap *struct {
		Name string `json:"name"`
	} `json:"configMap"`
	EmptyDir map[string]any `json:"emptyDir"`
}

// checkSidecar checks a wavecheck sidecar against the cmp-server conventions: entrypoint,
// uid 999, the four mounts, and every mounted volume defined (by the snippet or upstream).
func checkSidecar(t *testing.T, c container, volumes []volume, upstream []string) {
	t.Helper()
	if c.Name != "wavecheck" || c.Image == "" {
		t.Errorf("sidecar name %q image %q", c.Name, c.Image)
	}
	if diff := cmp.Diff([]string{cmpServer}, c.Command); diff != "" {
		t.Errorf("command mismatch (-want +got):\n%s", diff)
	}
	sc := c.SecurityContext
	if sc.RunAsUser == nil || *sc.RunAsUser != 999 || sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot {
		t.Errorf("securityContext must set runAsNonRoot: true and runAsUser: 999")
	}
	mounts := map[string]string{}
	for _, m := range c.VolumeMounts {
		mounts[m.MountPath] = m.Name + "|" + m.SubPath
	}
	defined := map[string]volume{}
	for _, v := range volumes {
		defined[v.Name] = v
	}
	for _, name := range upstream {
		defined[name] = volume{Name: name}
	}
	for path, wantSub := range map[string]string{varFiles: "", pluginSockets: "", pluginConfig: "plugin.yaml", "/tmp": ""} {
		m, ok := mounts[path]
		if !ok {
			t.Errorf("no volume mounted at %s", path)
			continue
		}
		name, sub, _ := strings.Cut(m, "|")
		if sub != wantSub {
			t.Errorf("mount %s subPath = %q, want %q", path, sub, wantSub)
		}
		if _, ok := defined[name]; !ok {
			t.Errorf("mount %s uses undefined volume %q", path, name)
		}
	}
	if m := mounts[pluginConfig]; m != "" {
		name, _, _ := strings.Cut(m, "|")
		if v := defined[name]; v.ConfigMap == nil || v.ConfigMap.Name != "wavecheck-plugin" {
			t.Errorf("plugin.yaml volume %q is not the wavecheck-plugin ConfigMap", name)
		}
	}
	if m := mounts["/tmp"]; m != "" {
		name, _, _ := strings.Cut(m, "|")
		if defined[name].EmptyDir == nil {
			t.Errorf("/tmp volume %q is not an emptyDir", name)
		}
	}
}

func TestArgoCDChartValues(t *testing.T) {
	var vals struct {
		RepoServer struct {
			ExtraContainers []container `json:"extraContainers"`
			Volumes         []volume    `json:"volumes"`
		} `json:"repoServer"`
	}
	if err := yaml.Unmarshal([]byte(readFile(t, "argo-cd/values.yaml")), &vals); err != nil {
		t.Fatalf("parse argo-cd/values.yaml: %v", err)
	}
	if len(vals.RepoServer.ExtraContainers) != 1 {
		t.Fatalf("want one repoServer.extraContainers entry, got %d", len(vals.RepoServer.ExtraContainers))
	}
	// The argo-cd chart defines the var-files and plugins volumes of argocd-repo-server.
	checkSidecar(t, vals.RepoServer.ExtraContainers[0], vals.RepoServer.Volumes, []string{"var-files", "plugins"})
}

// kustomizeInstall builds deploy/kustomize in memory, with the upstream install.yaml replaced by a
// stand-in repo-server Deployment (no network in tests) and, when discovery is set, the opt-in
// discovery component added to the kustomization's components.
func kustomizeInstall(t *testing.T, discovery bool) []map[string]any {
	t.Helper()
	fs := filesys.MakeFsInMemory()
	const dir = "/install"
	files := []string{"kustomization.yaml", "argocd-repo-server-wavecheck.yaml", "plugin.yaml",
		"discovery/kustomization.yaml", "discovery/plugin.yaml"}
	for _, name := range files {
		body := readFile(t, filepath.Join("kustomize", name))
		if name == "kustomization.yaml" {
			const remote = "https://raw.githubusercontent.com/argoproj/argo-cd/v3.6.1/manifests/install.yaml"
			if !strings.Contains(body, remote) {
				t.Fatalf("kustomization.yaml does not use %s", remote)
			}
			body = strings.Replace(body, remote, "argocd-repo-server.yaml", 1)
			if discovery {
				body += "components:\n  - discovery\n"
			}
		}
		if err := fs.WriteFile(filepath.Join(dir, name), []byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := fs.WriteFile(filepath.Join(dir, "argocd-repo-server.yaml"), []byte(readFile(t, "testdata/argocd-repo-server.yaml"))); err != nil {
		t.Fatal(err)
	}
	resMap, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(fs, dir)
	if err != nil {
		t.Fatalf("kustomize build: %v", err)
	}
	out, err := resMap.AsYaml()
	if err != nil {
		t.Fatal(err)
	}
	return splitYAML(t, string(out))
}

// TestKustomizeDiscoveryComponent: the opt-in component swaps the plugin ConfigMap's plugin.yaml
// for the discovery variant and changes nothing else.
func TestKustomizeDiscoveryComponent(t *testing.T) {
	plain, withDiscovery := kustomizeInstall(t, false), kustomizeInstall(t, true)
	cm := byKindName(withDiscovery, "ConfigMap", "wavecheck-plugin")
	if cm == nil {
		t.Fatal("no ConfigMap wavecheck-plugin")
	}
	if diff := cmp.Diff(readFile(t, discoveryPlugin), data(cm)["plugin.yaml"]); diff != "" {
		t.Errorf("plugin.yaml with the discovery component mismatch (-want +got):\n%s", diff)
	}
	data(byKindName(plain, "ConfigMap", "wavecheck-plugin"))["plugin.yaml"] = data(cm)["plugin.yaml"]
	if diff := cmp.Diff(plain, withDiscovery); diff != "" {
		t.Errorf("the discovery component changes more than plugin.yaml (-without +with):\n%s", diff)
	}
}

func TestKustomizeInstall(t *testing.T) {
	objs := kustomizeInstall(t, false)
	cm := byKindName(objs, "ConfigMap", "wavecheck-plugin")
	if cm == nil {
		t.Fatal("no ConfigMap wavecheck-plugin")
	}
	if diff := cmp.Diff(readFile(t, "../plugin.yaml"), data(cm)["plugin.yaml"]); diff != "" {
		t.Errorf("generated plugin.yaml mismatch (-want +got):\n%s", diff)
	}
	dep := byKindName(objs, "Deployment", "argocd-repo-server")
	if dep == nil {
		t.Fatal("no Deployment argocd-repo-server")
	}
	b, _ := yaml.Marshal(dep)
	var d struct {
		Metadata struct {
			Namespace string `json:"namespace"`
		} `json:"metadata"`
		Spec struct {
			Template struct {
				Spec struct {
					Containers []container `json:"containers"`
					Volumes    []volume    `json:"volumes"`
				} `json:"spec"`
			} `json:"template"`
		} `json:"spec"`
	}
	if err := yaml.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	var names []string
	var sidecar container
	for _, c := range d.Spec.Template.Spec.Containers {
		names = append(names, c.Name)
		if c.Name == "wavecheck" {
			sidecar = c
		}
	}
	slices.Sort(names)
	if diff := cmp.Diff([]string{"argocd-repo-server", "wavecheck"}, names); diff != "" {
		t.Fatalf("containers mismatch (-want +got):\n%s", diff)
	}
	if d.Metadata.Namespace != "argocd" {
		t.Errorf("namespace = %q, want argocd", d.Metadata.Namespace)
	}
	checkSidecar(t, sidecar, d.Spec.Template.Spec.Volumes, nil)
}

// dockerfile is a parsed Dockerfile: its stages, each with its instructions.
type stage struct {
	from, name string
	instrs     []string // "CMD args", continuation lines joined
}

func parseDockerfile(t *testing.T, path string) []stage {
	t.Helper()
	var stages []stage
	sc := bufio.NewScanner(strings.NewReader(readFile(t, path)))
	var cur strings.Builder
	flush := func() {
		line := strings.TrimSpace(cur.String())
		cur.Reset()
		if line == "" {
			return
		}
		cmd, args, _ := strings.Cut(line, " ")
		cmd = strings.ToUpper(cmd)
		if cmd == "FROM" {
			f := strings.Fields(args)
			s := stage{from: f[0]}
			if len(f) == 3 && strings.EqualFold(f[1], "AS") {
				s.name = f[2]
			}
			stages = append(stages, s)
			return
		}
		if len(stages) == 0 {
			t.Fatalf("%s: instruction before FROM: %s", path, line)
		}
		stages[len(stages)-1].instrs = append(stages[len(stages)-1].instrs, cmd+" "+strings.TrimSpace(args))
	}
	for sc.Scan() {
		l := sc.Text()
		if t := strings.TrimSpace(l); strings.HasPrefix(t, "#") || (t == "" && cur.Len() == 0) {
			continue
		}
		if strings.HasSuffix(l, "\\") {
			cur.WriteString(strings.TrimSuffix(l, "\\") + " ")
			continue
		}
		cur.WriteString(l)
		flush()
	}
	flush()
	return stages
}

func hasInstr(s stage, re string) bool {
	r := regexp.MustCompile(re)
	return slices.ContainsFunc(s.instrs, r.MatchString)
}

func TestDockerfile(t *testing.T) {
	stages := parseDockerfile(t, "../Dockerfile")
	if len(stages) != 2 {
		t.Fatalf("want a two-stage build, got %d stages", len(stages))
	}
	build, final := stages[0], stages[1]
	checks := []struct {
		what string
		ok   bool
	}{
		{"builder is a Go 1.27 golang image pinned by digest", regexp.MustCompile(`^golang:1\.27(\.[0-9]+)?(-[a-z0-9]+)?@sha256:[0-9a-f]{64}$`).MatchString(build.from)},
		{"builder uses its own toolchain (GOTOOLCHAIN=local: no download at build time)", hasInstr(build, `^ENV .*GOTOOLCHAIN=local\b`)},
		{"static build (CGO_ENABLED=0)", hasInstr(build, `^ENV .*CGO_ENABLED=0\b`)},
		{"final stage is scratch (as make image)", final.from == "scratch"},
		{"passwd naming uid 999, CA roots and /tmp from the builder", hasInstr(build, `argocd:x:999:999:`) && hasInstr(build, `ca-certificates\.crt`) && hasInstr(build, `chmod 1777 /root-fs/tmp`) && hasInstr(final, `^COPY --from=`+build.name+` /root-fs/ /$`)},
		{"PATH holds the binary", hasInstr(final, `^ENV .*PATH=/usr/local/bin\b`)},
		{"plugin.yaml at the cmp-server config path", hasInstr(final, `^COPY plugin\.yaml `+regexp.QuoteMeta(pluginConfig)+`$`)},
		{"runs as uid 999", hasInstr(final, `^USER 999(:999)?$`)},
		{"entrypoint is the cmp-server", hasInstr(final, `^ENTRYPOINT \["`+regexp.QuoteMeta(cmpServer)+`"\]$`)},
		{"no shell form RUN in the final stage", !hasInstr(final, `^RUN `)},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("Dockerfile: %s", c.what)
		}
	}
	// The image's binaries are release.yaml's (what `make image` builds): each built with its
	// tags into /out/<name> and copied from the builder to its path.
	var release struct {
		Image struct {
			Binaries []struct {
				Path string   `json:"path"`
				Tags []string `json:"tags"`
			} `json:"binaries"`
		} `json:"image"`
	}
	if err := yaml.Unmarshal([]byte(readFile(t, "release/release.yaml")), &release); err != nil || len(release.Image.Binaries) < 2 {
		t.Fatalf("release/release.yaml: %v; want image.binaries (wavecheck and wavecheck-helm)", err)
	}
	var builds []string           // the RUN instructions' commands, one per && step
	copied := map[string]string{} // image path -> builder file
	for _, in := range build.instrs {
		for step := range strings.SplitSeq(strings.TrimPrefix(in, "RUN "), "&&") {
			builds = append(builds, strings.Join(strings.Fields(step), " "))
		}
	}
	for _, in := range final.instrs {
		f := strings.Fields(in)
		if len(f) < 4 || f[0] != "COPY" || f[1] != "--from="+build.name {
			continue
		}
		dst := f[len(f)-1]
		for _, src := range f[2 : len(f)-1] {
			if strings.HasSuffix(dst, "/") {
				copied[dst+filepath.Base(src)] = src
			} else {
				copied[dst] = src
			}
		}
	}
	for _, b := range release.Image.Binaries {
		name := filepath.Base(b.Path)
		re := regexp.MustCompile(`^go build -trimpath -tags ` + regexp.QuoteMeta(strings.Join(b.Tags, ",")) + ` -ldflags "-s -w [^"]*" -o /out/` + regexp.QuoteMeta(name) + ` \./cmd/wavecheck$`)
		if !slices.ContainsFunc(builds, re.MatchString) {
			t.Errorf("Dockerfile: no `go build -trimpath -tags %s -ldflags \"-s -w ...\" -o /out/%s ./cmd/wavecheck` (release.yaml's %s)", strings.Join(b.Tags, ","), name, b.Path)
		}
		if copied[b.Path] != "/out/"+name {
			t.Errorf("Dockerfile: %s is not copied from the builder's /out/%s (got %q)", b.Path, name, copied[b.Path])
		}
	}
	// plugin.yaml calls the binary by name: it must be on the image's PATH.
	p := parsePlugin(t, readFile(t, "../plugin.yaml"))
	if p.Spec.Generate.Command[0] != "wavecheck" {
		t.Errorf("generate command %q is not the binary copied to /usr/local/bin", p.Spec.Generate.Command[0])
	}
	ignore := readFile(t, "../.dockerignore")
	for _, must := range []string{".git", "test"} {
		if !slices.Contains(strings.Fields(ignore), must) {
			t.Errorf(".dockerignore does not exclude %s", must)
		}
	}
}

// dockerIgnored reports whether .dockerignore patterns exclude rel (slash path) or a parent of it.
func dockerIgnored(patterns []string, rel string) bool {
	var res []*regexp.Regexp
	for _, p := range patterns {
		var b strings.Builder
		b.WriteString("^")
		for i := 0; i < len(p); i++ {
			switch {
			case strings.HasPrefix(p[i:], "**/"):
				b.WriteString("(?:.*/)?")
				i += 2
			case p[i] == '*':
				b.WriteString("[^/]*")
			case p[i] == '?':
				b.WriteString("[^/]")
			default:
				b.WriteString(regexp.QuoteMeta(string(p[i])))
			}
		}
		b.WriteString("$")
		res = append(res, regexp.MustCompile(b.String()))
	}
	parts := strings.Split(rel, "/")
	for i := 1; i <= len(parts); i++ {
		prefix := strings.Join(parts[:i], "/")
		for _, re := range res {
			if re.MatchString(prefix) {
				return true
			}
		}
	}
	return false
}

// TestDockerBuildContext checks that .dockerignore keeps every file `go build ./cmd/wavecheck`
// needs (Go files and embedded files of the module's packages), and plugin.yaml.
func TestDockerBuildContext(t *testing.T) {
	var patterns []string
	for _, l := range strings.Split(readFile(t, "../.dockerignore"), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			patterns = append(patterns, strings.TrimPrefix(l, "/"))
		}
	}
	for _, tc := range []struct {
		path string
		want bool
	}{{"test/cmp/go.mod", true}, {"policy/report/testdata/x.json", true}, {"plugin/sidecar/sidecar_test.go", true}, {"README.md", true}, {"plugin/sidecar/config.go", false}} {
		if got := dockerIgnored(patterns, tc.path); got != tc.want {
			t.Errorf("dockerIgnored(%s) = %v, want %v", tc.path, got, tc.want)
		}
	}
	cmd := exec.Command("go", "list", "-deps", "-f", `{{if .Module}}{{if .Module.Main}}{{.Dir}}|{{join .GoFiles ","}}|{{join .EmbedFiles ","}}{{end}}{{end}}`, "./cmd/wavecheck")
	cmd.Dir = ".."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	needed := []string{"go.mod", "go.sum", "plugin.yaml"}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Split(line, "|")
		if len(f) != 3 {
			continue
		}
		rel, err := filepath.Rel(root, f[0])
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range append(strings.Split(f[1], ","), strings.Split(f[2], ",")...) {
			if name != "" {
				needed = append(needed, filepath.ToSlash(filepath.Join(rel, name)))
			}
		}
	}
	if len(needed) < 10 {
		t.Fatalf("go list found only %v", needed)
	}
	for _, p := range needed {
		if dockerIgnored(patterns, p) {
			t.Errorf(".dockerignore excludes %s, which the image build needs", p)
		}
	}
}
