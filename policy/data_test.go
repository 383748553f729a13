package policy

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/google/go-cmp/cmp"

	"github.com/wavecheck/wavecheck/internal/argocd"
	"github.com/wavecheck/wavecheck/internal/manifest"
	"github.com/wavecheck/wavecheck/plugin/render"
)

// TestFactsValueMatchesJSON keeps the hand-built factsValue in step with the JSON form of
// argocd.Facts (which docs/policy.md documents).
func TestFactsValueMatchesJSON(t *testing.T) {
	objs := []manifest.Object{
		{Object: map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": "ns",
			"annotations": map[string]any{"argocd.argoproj.io/sync-wave": "3"}}}},
		{Object: map[string]any{"apiVersion": "batch/v1", "kind": "Job", "metadata": map[string]any{"name": "j", "namespace": "ns",
			"annotations": map[string]any{"argocd.argoproj.io/hook": "PreSync,PostSync,Bad", "helm.sh/hook": "test",
				"argocd.argoproj.io/hook-delete-policy": "HookSucceeded", "argocd.argoproj.io/sync-options": "Prune=false",
				"argocd.argoproj.io/compare-options": "IgnoreExtraneous", "helm.sh/hook-weight": "x"}}}},
		{Object: map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "c",
			"annotations": map[string]any{"argocd.argoproj.io/sync-wave": int64(1)}}}},
	}
	objs = append(objs,
		manifest.Object{Object: map[string]any{"apiVersion": "batch/v1", "kind": "Job", "metadata": map[string]any{"name": "d",
			"annotations": map[string]any{"argocd.argoproj.io/hook": "PostSync,PostDelete", "helm.sh/hook": "pre-delete, post-install"}}}})
	// 3.3.2 compares deletion hook values whole (ignoredDeleteHooks), 3.3.4 drops deletion
	// hooks from syncs (syncDroppedPhases), the latest version keeps them.
	var facts []argocd.Facts
	for _, v := range []argocd.Version{argocd.Latest, {Major: 3, Minor: 3, Patch: 2}, {Major: 3, Minor: 3, Patch: 4}} {
		facts = append(facts, argocd.AnalyzeAll(objs, argocd.Options{Version: v})...)
	}
	for i, f := range facts {
		bs, err := json.Marshal(f)
		if err != nil {
			t.Fatal(err)
		}
		var want map[string]any
		if err := json.Unmarshal(bs, &want); err != nil {
			t.Fatal(err)
		}
		// factsValue writes empty lists where encoding/json writes null, so rules can count them.
		for k, v := range want {
			if v == nil && k != "annotations" {
				want[k] = []any{}
			}
		}
		wantV, err := ast.InterfaceToValue(want)
		if err != nil {
			t.Fatal(err)
		}
		if got := factsValue(f).Value; got.Compare(wantV) != 0 {
			t.Errorf("object %d: factsValue differs from JSON:\n got %v\nwant %v", i, got, wantV)
		}
	}
}

// TestCandidateSets checks that data.wavecheck.sets, computed in Go, selects exactly the
// objects the lib.rego definitions select, on the benchmark app and every end-to-end case.
func TestCandidateSets(t *testing.T) {
	ctx := context.Background()
	obj := func(apiVersion, kind string, meta any) manifest.Object {
		o := map[string]any{"apiVersion": apiVersion, "kind": kind}
		if meta != nil {
			o["metadata"] = meta
		}
		return manifest.Object{Object: o}
	}
	apps := map[string][]manifest.Object{"bench": benchObjects(500), "edge cases": {
		obj("v1", "ConfigMap", map[string]any{"name": "c"}),
		obj("v1", "ConfigMap", map[string]any{"name": "c", "namespace": "apps"}), // same as the first with --namespace apps
		obj("v1", "ConfigMap", map[string]any{"name": "c", "namespace": 3}),
		obj("v1", "ConfigMap", map[string]any{"name": "c"}),
		obj("example.com/v1", "Widget", map[string]any{"name": true}),
		obj("example.com/v1", "Widget", map[string]any{"generateName": "w-"}),
		obj("example.com/v1", "Widget", map[string]any{"generateName": "w-"}),
		obj("apps/v1", "Deployment", "not a map"),
		obj("v1", "Secret", nil),
		obj("argoproj.io/v1alpha1", "Application", map[string]any{"name": ""}),
		obj("storage.k8s.io/v1", "StorageClass", map[string]any{"name": "s"}),
		obj("storage.k8s.io/v1", "StorageClass", map[string]any{"name": "s", "namespace": "x"}),
		{Object: map[string]any{"apiVersion": "v1", "kind": "Secret", "metadata": map[string]any{"name": "random"}}, Unstable: []string{"data.password"}},
	}}
	dirs, err := filepath.Glob("testdata/e2e/*/*")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		if st, err := os.Stat(d); err != nil || !st.IsDir() {
			continue
		}
		r, err := render.Render(ctx, d, render.Options{})
		if err != nil {
			t.Fatalf("render %s: %v", d, err)
		}
		apps[d] = r.Objects
	}
	// eager: a gated Linter has no compiler of lib (it compiles per evaluation), and a query
	// on a nil compiler sees no lib at all: both sides were empty lists.
	for _, opts := range []Options{{eager: true}, {Namespace: "apps", eager: true}} {
		e, err := New(ctx, opts)
		if err != nil {
			t.Fatal(err)
		}
		checkCandidateSets(ctx, t, e, apps)
	}
}

func checkCandidateSets(ctx context.Context, t *testing.T, e *Linter, apps map[string][]manifest.Object) {
	t.Helper()
	lists := []string{"hooks", "hook_annotated", "delete_policy_annotated", "sync_options_annotated", "hook_weighted", "applications", "raw_issues", "moved", "generated_names", "workloads", "unstable", "custom_resources", "unnamed", "duplicates"}
	var q strings.Builder
	for i, l := range lists {
		fmt.Fprintf(&q, "go%d := [o.index | some o in data.wavecheck.lib.%s]; rego%d := [o.index | some o in data.wavecheck.lib.%s] with data.wavecheck.sets as {}; ", i, l, i, l)
	}
	q.WriteString("groups := data.wavecheck.lib.builtin_groups")
	pq, err := rego.New(e.regoOpts(e.compiler, q.String())...).PrepareForEval(ctx)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for name, objs := range apps {
		ev, err := e.newEvaluation(objs, nil)
		if err != nil {
			t.Fatal(err)
		}
		txn, done, err := ev.data.txn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		rs, err := pq.Eval(ctx, rego.EvalTransaction(txn))
		done()
		if err != nil || len(rs) != 1 {
			t.Fatalf("%s: eval: %v (%d results)", name, err, len(rs))
		}
		for i, l := range lists {
			got, want := rs[0].Bindings[fmt.Sprintf("go%d", i)], rs[0].Bindings[fmt.Sprintf("rego%d", i)]
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s %+v: lib.%s from Go sets differs from its Rego definition (-rego +go):\n%s", name, e.opts, l, diff)
			}
			if l, ok := got.([]any); ok {
				seen[lists[i]] += len(l)
			}
		}
		groups := map[string]bool{}
		for _, g := range rs[0].Bindings["groups"].([]any) {
			groups[g.(string)] = true
		}
		if diff := cmp.Diff(groups, builtinGroups); diff != "" {
			t.Errorf("lib.builtin_groups differs from builtinGroups (-rego +go):\n%s", diff)
		}
	}
	for _, l := range lists {
		if seen[l] == 0 {
			t.Errorf("lib.%s is empty on every app: the comparison checked nothing", l)
		}
	}
}

// TestBuiltinViewKeepsFindings checks that storing only builtinView of each object for the
// built-in rules finds exactly what the whole objects find, on every e2e case, the examples
// and the rendering test apps (a rule reading a field the view drops fails here).
func TestBuiltinViewKeepsFindings(t *testing.T) {
	dirs := testAppDirs(t, "testdata/e2e/*/*", "../examples/*", "../plugin/render/testdata/dir/*", "../plugin/render/testdata/dir/corpus/*")
	// A hook of a kind outside fullViewKinds whose pod spec a rule reads.
	hookApp := t.TempDir()
	if err := os.WriteFile(filepath.Join(hookApp, "app.yaml"), []byte(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: warmup
  annotations:
    argocd.argoproj.io/hook: PreSync
spec:
  selector: {matchLabels: {app: warmup}}
  template:
    metadata: {labels: {app: warmup}}
    spec:
      serviceAccountName: runner
      containers: [{name: c, image: busybox}]
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: runner
`), 0o644); err != nil {
		t.Fatal(err)
	}
	dirs = append(dirs, hookApp)
	ctx := context.Background()
	view, err := New(ctx, Options{})
	if err != nil {
		t.Fatal(err)
	}
	whole, err := New(ctx, Options{})
	if err != nil {
		t.Fatal(err)
	}
	whole.wholeObjects = true
	total := 0
	for _, dir := range dirs {
		t.Run(dir, func(t *testing.T) {
			r, err := render.Render(ctx, dir, render.Options{})
			if err != nil {
				t.Skipf("not renderable without options: %v", err)
			}
			want, err := whole.Evaluate(ctx, r.Objects)
			if err != nil {
				t.Fatal(err)
			}
			got, err := view.Evaluate(ctx, r.Objects)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("findings with builtinView differ from whole objects (-whole +view):\n%s", diff)
			}
			total += len(want.Findings)
		})
	}
	if total == 0 {
		t.Error("no findings in any test app: the comparison checked nothing")
	}
}
