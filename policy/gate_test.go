package policy

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/wavecheck/wavecheck/internal/manifest"
	"github.com/wavecheck/wavecheck/plugin/render"
	"github.com/wavecheck/wavecheck/test/golden"
)

func TestModuleGate(t *testing.T) {
	lib, err := builtinModules(false)
	if err != nil {
		t.Fatal(err)
	}
	var libMod *ast.Module
	for _, m := range lib {
		if m.mod.Package.Path.Equal(libPath) {
			libMod = m.mod
		}
	}
	reads := libReadsObjects(libMod)
	for _, name := range []string{"facts", "hooks", "candidates"} {
		if !reads[name] {
			t.Errorf("lib.%s reads the objects, libReadsObjects says it does not", name)
		}
	}
	for _, name := range []string{"argocd", "version", "csv", "supports", "tracking_method"} {
		if reads[name] {
			t.Errorf("lib.%s reads no object, libReadsObjects says it does", name)
		}
	}
	for _, tc := range []struct {
		name, body string
		want       []string
	}{
		{"one list", "findings := [f | some o in lib.hooks; f := {\"index\": o.index}]", []string{"hooks"}},
		{"two lists and a helper", "findings := [f | some o in array.concat(lib.moved, lib.hook_annotated); lib.csv(\"a\"); f := o]", []string{"hookAnnotated", "moved"}},
		{"full path", "findings := [o | some o in data.wavecheck.lib.generated_names]", []string{"generateName"}},
		{"objects directly", "findings := [o | some o in lib.hooks; some x in data.wavecheck.objects; x == o]", nil},
		{"lookup", "findings := [o | some o in lib.hooks; data.wavecheck.lookup[\"x\"]]", nil},
		{"input", "findings := [o | some o in lib.hooks; input.kind == \"Job\"]", nil},
		{"lib rule reading objects", "findings := [f | some o in lib.hooks; f := lib.facts(o.object)]", nil},
		{"computed lib name", "findings := [o | some n in [\"hooks\"]; some o in lib[n]]", nil},
		{"no list", "findings := [o | o := lib.version]", nil},
		{"admin data", "findings := [o | some o in lib.hooks; data.wavecheck.sets.hooks]", nil},
		{"anchored with lookup", "findings contains o if { some o in lib.hooks; data.wavecheck.lookup[\"x\"] }", []string{"hooks"}},
		{"anchored reading objects", "findings contains o if { some i, o in lib.unnamed; some x in data.wavecheck.objects; x == o }\n\nfindings contains o if { input.kind == \"Job\"; some o in data.wavecheck.lib.duplicates }", []string{"duplicates", "unnamed"}},
		{"anchored and helper reading objects", "findings contains o if { some o in lib.custom_resources; not o.group in crds }\n\ncrds := {o.group | some o in data.wavecheck.objects}", []string{"customResources"}},
		{"one body not anchored", "findings contains o if { some o in lib.hooks; data.wavecheck.lookup[\"x\"] }\n\nfindings contains o if { some o in data.wavecheck.objects }", nil},
		{"negated anchor", "findings contains o if { some o in data.wavecheck.objects; not lib.hooks[0] }", nil},
		{"anchor under with", "findings contains o if { some o in lib.hooks with data.wavecheck.sets as {}; data.wavecheck.lookup[\"x\"] }", nil},
		{"anchor in a comprehension", "findings contains o if { x := [h | some h in lib.hooks]; some o in data.wavecheck.objects }", nil},
		{"default findings", "default findings := set()\n\nfindings contains o if { some o in lib.hooks; data.wavecheck.lookup[\"x\"] }", nil},
		{"anchored on one of the lists it reads", "findings contains o if { some o in lib.hooks; count(lib.workloads) > 0 }", []string{"hooks"}},
		{"not a candidate list", "findings contains o if { some o in lib.workload_kinds; data.wavecheck.lookup[o] }", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, imp := range []string{"import data.wavecheck.lib", "import data.wavecheck.lib as lib"} {
				m, err := ast.ParseModuleWithOpts("x.rego", "package wavecheck.rules.x\n\n"+imp+"\n\n"+tc.body+"\n", ast.ParserOptions{RegoVersion: ast.RegoV1})
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tc.want, moduleGate(m, reads)); diff != "" {
					t.Errorf("%s: gate (-want +got):\n%s", imp, diff)
				}
			}
		})
	}
	m, err := ast.ParseModuleWithOpts("x.rego", "package wavecheck.rules.x\n\nimport data.wavecheck.lib as l\n\nfindings := [o | some o in l.applications]\n", ast.ParserOptions{RegoVersion: ast.RegoV1})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"applications"}, moduleGate(m, reads)); diff != "" {
		t.Errorf("aliased import: gate (-want +got):\n%s", diff)
	}

	// The built-in pack: most rules are gated, on lists data.wavecheck.sets has.
	gates := ruleGates(lib)
	sets := candidateSets(nil, nil, nil)
	gated := 0
	for pkg, g := range gates {
		t.Logf("%s: %v", pkg, g)
		for _, s := range g {
			if _, ok := sets[s]; !ok {
				t.Errorf("%s is gated on %q, which data.wavecheck.sets does not have", pkg, s)
			}
		}
		if g != nil {
			gated++
		}
	}
	if gated < len(gates)/2 {
		t.Errorf("%d of %d built-in rules gated: the gate analysis lost most of them", gated, len(gates))
	}
}

// testAppDirs lists the app directories matching the glob patterns, and fails unless there are
// at least 40 (the e2e cases and examples): a comparison over no apps checks nothing.
func testAppDirs(t *testing.T, patterns ...string) []string {
	t.Helper()
	var dirs []string
	for _, pattern := range patterns {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range m {
			if fi, err := os.Stat(d); err == nil && fi.IsDir() {
				dirs = append(dirs, d)
			}
		}
	}
	if len(dirs) < 40 {
		t.Fatalf("found %d test apps, want the e2e cases and examples", len(dirs))
	}
	return dirs
}

// TestGatedRulesKeepFindings checks that compiling only the built-in rules an app can trigger
// finds exactly what compiling all of them finds, for several target versions and tracking
// methods, on every e2e case, the examples, the rendering test apps, the corpus and a generated
// app, and that the gating left rules out on some apps (else it checked nothing).
func TestGatedRulesKeepFindings(t *testing.T) {
	dirs := testAppDirs(t, "testdata/e2e/*/*", "testdata/corpus/*/*", "../examples/*", "../plugin/render/testdata/dir/*", "../plugin/render/testdata/dir/corpus/*")
	ctx := context.Background()
	apps := map[string][]manifest.Object{"generated": benchObjects(300), "empty": nil}
	for _, dir := range dirs {
		r, err := render.Render(ctx, dir, render.Options{})
		if err != nil {
			continue
		}
		apps[dir] = r.Objects
	}
	skipped, findings := 0, 0
	for _, opts := range []Options{{}, {ArgoCDVersion: "3.3.2"}, {ArgoCDVersion: "2.14", TrackingMethod: "label"}, {Namespace: "apps"},
		{PolicyDirs: []string{"testdata/userpolicy"}, AllNamespaces: true}} {
		gated, err := New(ctx, opts)
		if err != nil {
			t.Fatal(err)
		}
		eager := opts
		eager.eager = true
		all, err := New(ctx, eager)
		if err != nil {
			t.Fatal(err)
		}
		if gated.lazy == nil || all.lazy != nil {
			t.Fatal("want a gated and an eager linter")
		}
		if diff := cmp.Diff(all.Rules(), gated.Rules()); diff != "" {
			t.Errorf("%+v: rules differ (-all +gated):\n%s", opts, diff)
		}
		for name, objs := range apps {
			want, err := all.Evaluate(ctx, objs)
			if err != nil {
				t.Fatal(err)
			}
			got, err := gated.Evaluate(ctx, objs)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s %+v: findings of the gated rules differ from all rules (-all +gated):\n%s", name, opts, diff)
			}
			findings += len(want.Findings)
		}
		gated.lazy.packs.Range(func(k, _ any) bool {
			skipped += strings.Count(k.(string), "0")
			return true
		})
	}
	if findings == 0 || skipped == 0 {
		t.Errorf("%d findings, %d rules gated out: the comparison checked nothing", findings, skipped)
	}
}

// TestBuiltinIndex keeps policy/rules/index.json (the rules' metadata and gates, embedded so
// that a process does not parse every rule) in step with the rules: refresh it with -update.
func TestBuiltinIndex(t *testing.T) {
	mods, err := builtinModules(false)
	if err != nil {
		t.Fatal(err)
	}
	idx, err := makeIndex(mods)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.MarshalIndent(idx, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, filepath.Join("rules", indexFile), append(b, '\n'))
	if len(idx.Rules) < 20 || len(idx.Support) == 0 {
		t.Errorf("index has %d rules and %d support modules", len(idx.Rules), len(idx.Support))
	}
}

// TestPlainAppCompilesNoRule checks the point of the gates: an app without hooks, Argo CD or
// Helm annotations, custom resources, duplicates or nameless objects compiles lib alone.
func TestPlainAppCompilesNoRule(t *testing.T) {
	ctx := context.Background()
	obj := func(apiVersion, kind, name string) manifest.Object {
		return manifest.Object{Object: map[string]any{"apiVersion": apiVersion, "kind": kind, "metadata": map[string]any{"name": name}}}
	}
	objs := []manifest.Object{
		obj("apps/v1", "Deployment", "web"), obj("v1", "Service", "web"), obj("v1", "ConfigMap", "web"),
		obj("v1", "ServiceAccount", "web"), obj("networking.k8s.io/v1", "Ingress", "web"), obj("batch/v1", "CronJob", "web"),
		obj("rbac.authorization.k8s.io/v1", "Role", "web"), obj("rbac.authorization.k8s.io/v1", "RoleBinding", "web"),
		obj("policy/v1", "PodDisruptionBudget", "web"), obj("autoscaling/v2", "HorizontalPodAutoscaler", "web"),
	}
	l, err := New(ctx, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Evaluate(ctx, objs); err != nil {
		t.Fatal(err)
	}
	l.lazy.packs.Range(func(k, _ any) bool {
		if kept := strings.Count(k.(string), "1"); kept != 0 {
			t.Errorf("a plain 10-object app compiled %d rules (%s), want none", kept, k)
		}
		return true
	})
}

// TestBuiltinPackPassesChecks compiles every built-in rule, with and without the _test.rego
// files, through every stage of OPA's compiler: what lets compileTrusted skip the stages that
// only check (checkOnlyStages) when it compiles a gated pack in every process.
func TestBuiltinPackPassesChecks(t *testing.T) {
	for _, withTests := range []bool{false, true} {
		mods, err := builtinModules(withTests)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := compile(mods); err != nil {
			t.Errorf("built-in rules (tests %v) fail a check of OPA's compiler: %v", withTests, err)
		}
	}
	// The stages skipped must exist in this OPA (a renamed stage would be skipped silently).
	for _, s := range checkOnlyStages {
		if !slices.Contains(ast.AllStages(), s) {
			t.Errorf("OPA has no compiler stage %q", s)
		}
	}
}

// TestBuiltinIndependent checks which user policies let the built-in rules be compiled apart
// (gated) and which must be compiled with them: those that could add to lib or a rule, or read
// a rule's documents.
func TestBuiltinIndependent(t *testing.T) {
	tests := []struct {
		name, src string
		want      bool
	}{
		{"lib and input", "package main\nimport data.wavecheck.lib\ndeny contains m if { lib.facts(input).hook; m := \"x\" }", true},
		{"lib aliased, mocked", "package main\nimport data.wavecheck.lib as l\ndeny contains m if { l.hooks[_]; m := \"x\" } \nt if { deny with data.wavecheck.lib.hooks as [] }", true},
		{"other data", "package main\ndeny contains m if { data.team.owners[input.metadata.name]; m := data.wavecheck.objects[0].kind }", true},
		{"own package under wavecheck", "package wavecheck.custom\ndeny contains \"x\" if { input.kind == \"Job\" }", true},
		{"a rule's findings", "package main\ndeny contains f if { some f in data.wavecheck.rules.hook_unknown_type.findings }", false},
		{"rules through a computed key", "package main\ndeny contains k if { some k; data.wavecheck[k] }", false},
		{"data through a computed key", "package main\ndeny contains k if { some k; data[k] }", false},
		{"data whole", "package main\nall := data\ndeny contains \"x\" if { all.wavecheck }", false},
		{"import wavecheck", "package main\nimport data.wavecheck as w\ndeny contains f if { some f in w.rules.x.findings }", false},
		{"import data", "package main\nimport data\ndeny contains \"x\" if { data.y }", false},
		{"import rules", "package main\nimport data.wavecheck.rules.x\ndeny contains \"x\" if { x.findings }", false},
		{"extends lib", "package wavecheck.lib\nextra := 1", false},
		{"adds a rule", "package wavecheck.rules.mine\nfindings := []", false},
		{"package wavecheck", "package wavecheck\nrules := 1", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := ast.ParseModuleWithOpts("p.rego", tc.src, ast.ParserOptions{RegoVersion: ast.RegoV1})
			if err != nil {
				t.Fatal(err)
			}
			if got := builtinIndependent([]module{{file: "p.rego", mod: m}}); got != tc.want {
				t.Errorf("builtinIndependent = %v, want %v", got, tc.want)
			}
		})
	}
}
