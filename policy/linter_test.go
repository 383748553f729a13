package policy

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/wavecheck/wavecheck/internal/manifest"
)

func cm(name string, ann map[string]any, line int) manifest.Object {
	md := map[string]any{"name": name}
	if ann != nil {
		md["annotations"] = ann
	}
	return manifest.Object{
		Object: map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "metadata": md},
		Source: manifest.Source{File: "app/cm.yaml", Line: line},
	}
}

func TestEvaluateBuiltinAndSuppression(t *testing.T) {
	ctx := context.Background()
	objs := []manifest.Object{
		cm("bad", map[string]any{"argocd.argoproj.io/sync-wave": "1.5"}, 1),
		cm("ignored", map[string]any{"argocd.argoproj.io/sync-wave": "two", AnnotationIgnore: "sync-wave-not-integer", AnnotationIgnoreReason: "legacy"}, 8),
		cm("good", map[string]any{"argocd.argoproj.io/sync-wave": "-2"}, 15),
	}
	e, err := New(ctx, Options{})
	if err != nil {
		t.Fatalf("New() error = %v", err)
	}
	res, err := e.Evaluate(ctx, objs)
	if err != nil {
		t.Fatalf("Evaluate() error = %v", err)
	}
	rule := e.ruleByID["sync-wave-not-integer"]
	want := &Result{
		Objects: 3,
		Findings: []Finding{{
			Rule: "sync-wave-not-integer", Severity: SeverityError, Hint: rule.Hint,
			Message: `sync-wave "1.5" is not an integer: Argo CD uses wave 0`,
			Object:  ObjectRef{APIVersion: "v1", Kind: "ConfigMap", Name: "bad"}, File: "app/cm.yaml", Line: 1,
		}},
		Suppressed: []Suppressed{{
			Finding: Finding{
				Rule: "sync-wave-not-integer", Severity: SeverityError, Hint: rule.Hint,
				Message: `sync-wave "two" is not an integer: Argo CD uses wave 0`,
				Object:  ObjectRef{APIVersion: "v1", Kind: "ConfigMap", Name: "ignored"}, File: "app/cm.yaml", Line: 8,
			},
			By: "annotation", Reason: "legacy",
		}},
	}
	if diff := cmp.Diff(want, res); diff != "" {
		t.Errorf("Evaluate() mismatch (-want +got):\n%s", diff)
	}

	e2, err := New(ctx, Options{Ignore: []string{"sync-wave-not-integer"}})
	if err != nil {
		t.Fatalf("New() error = %v", err)
	}
	res, err = e2.Evaluate(ctx, objs)
	if err != nil {
		t.Fatalf("Evaluate() error = %v", err)
	}
	if len(res.Findings) != 0 || len(res.Suppressed) != 2 || res.Suppressed[0].By != "ignore" {
		t.Errorf("ignore list: got findings %v suppressed %v", res.Findings, res.Suppressed)
	}
}

func TestEvaluateUserPolicies(t *testing.T) {
	ctx := context.Background()
	fsys := fstest.MapFS{
		"main.rego": {Data: []byte(`package main

deny contains msg if {
	input.kind == "ConfigMap"
	not input.metadata.labels.team
	msg := sprintf("%s has no team label", [input.metadata.name])
}

# METADATA
# title: Waves must be small
# custom:
#   id: small-waves
#   severity: info
#   hint: keep waves under 10
warn_big_wave contains {"msg": msg} if {
	f := data.wavecheck.lib.facts(input)
	f.wave > 9
	msg := sprintf("wave %d is big", [f.wave])
}

violation contains {"msg": "no", "rule": "custom-id", "severity": "warning"} if input.metadata.name == "other"

exception contains rules if {
	input.metadata.name == "excused"
	rules := ["big_wave"]
}
`)},
		"other/other.rego": {Data: []byte(`package other

deny contains "from other" if true
`)},
	}
	objs := []manifest.Object{
		cm("a", map[string]any{"argocd.argoproj.io/sync-wave": "12"}, 1),
		cm("excused", map[string]any{"argocd.argoproj.io/sync-wave": "12"}, 5),
		cm("other", nil, 9),
	}
	e, err := New(ctx, Options{Policies: []Source{{Name: "policy", FS: fsys}}, NoBuiltin: true})
	if err != nil {
		t.Fatalf("New() error = %v", err)
	}
	res, err := e.Evaluate(ctx, objs)
	if err != nil {
		t.Fatalf("Evaluate() error = %v", err)
	}
	type row struct {
		Rule, Sev, Msg, Obj string
	}
	var got []row
	for _, f := range res.Findings {
		got = append(got, row{f.Rule, string(f.Severity), f.Message, f.Object.Name})
	}
	want := []row{
		{"main.deny", "error", "a has no team label", "a"},
		{"small-waves", "info", "wave 12 is big", "a"},
		{"main.deny", "error", "excused has no team label", "excused"},
		// One order everywhere (CompareFindings): on one object, the most severe first.
		{"main.deny", "error", "other has no team label", "other"},
		{"custom-id", "warning", "no", "other"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings mismatch (-want +got):\n%s", diff)
	}
	if len(res.Suppressed) != 1 || res.Suppressed[0].By != "exception" || res.Suppressed[0].Object.Name != "excused" {
		t.Errorf("suppressed = %+v, want the conftest exception on excused", res.Suppressed)
	}
	var ids []string
	for _, r := range e.Rules() {
		ids = append(ids, r.ID)
	}
	if diff := cmp.Diff([]string{"main.deny", "main.violation", "small-waves"}, ids, cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
		t.Errorf("Rules() mismatch (-want +got):\n%s", diff)
	}

	all, err := New(ctx, Options{Policies: []Source{{Name: "policy", FS: fsys}}, NoBuiltin: true, Namespaces: []string{"other"}})
	if err != nil {
		t.Fatalf("New() error = %v", err)
	}
	res, err = all.Evaluate(ctx, objs[:1])
	if err != nil {
		t.Fatalf("Evaluate() error = %v", err)
	}
	if len(res.Findings) != 1 || res.Findings[0].Message != "from other" {
		t.Errorf("namespace other: findings = %+v", res.Findings)
	}
}

func TestNewErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want string
	}{
		{name: "syntax error names file and line", src: "package main\n\ndeny contains msg if {\n  msg := \n}\n", want: "policy/p.rego:5: unexpected } token"},
		{name: "http.send is not available", src: "package main\n\ndeny contains msg if {\n  r := http.send({\"method\": \"get\", \"url\": \"http://x\"})\n  msg := r.body\n}\n", want: "policy/p.rego:4: undefined function http.send"},
		{name: "opa.runtime is not available", src: "package main\n\ndeny contains msg if {\n  msg := opa.runtime().env.HOME\n}\n", want: "policy/p.rego:4: undefined function opa.runtime"},
		{name: "net.lookup_ip_addr is not available", src: "package main\n\ndeny contains msg if {\n  msg := net.lookup_ip_addr(\"example.com\")\n}\n", want: "undefined function net.lookup_ip_addr"},
		{name: "deny without contains", src: "package main\n\ndeny if {\n  input.kind == \"Pod\"\n}\n", want: "policy/p.rego:3: rule deny uses \"if\" without \"contains\""},
		{name: "reserved package", src: "package wavecheck.mine\n\nx := 1\n", want: "policy/p.rego:1: package wavecheck.mine is reserved"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(context.Background(), Options{Policies: []Source{{Name: "policy", FS: fstest.MapFS{"p.rego": {Data: []byte(tt.src)}}}}})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New() error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
	if _, err := New(context.Background(), Options{ArgoCDVersion: "latest"}); err == nil {
		t.Errorf("New() with a bad version: want an error")
	}
}

func TestEvaluateTimeLimit(t *testing.T) {
	// A policy that cannot finish (10^10 iterations) must stop at the time limit.
	fsys := fstest.MapFS{"slow.rego": {Data: []byte(`package main

deny contains "never" if {
	some a in numbers.range(1, 100000)
	some b in numbers.range(1, 100000)
	a == b + 1000000
}
`)}}
	e, err := New(context.Background(), Options{Policies: []Source{{Name: "policy", FS: fsys}}, Timeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatalf("New() error = %v", err)
	}
	_, err = e.Evaluate(context.Background(), []manifest.Object{cm("a", nil, 1)})
	if err == nil || !strings.Contains(err.Error(), "time limit of 200ms exceeded") {
		t.Errorf("Evaluate() error = %v, want the time limit error", err)
	}
}

// TestDocumentedUserPolicy runs the example policy and test of docs/policy.md (copied in
// testdata/userpolicy).
func TestDocumentedUserPolicy(t *testing.T) {
	ctx := context.Background()
	opts := Options{PolicyDirs: []string{"testdata/userpolicy"}, NoBuiltin: true}
	results, err := Verify(ctx, opts)
	if err != nil {
		t.Fatalf("Verify() error = %v", err)
	}
	if len(results) != 1 || !results[0].Passed() || results[0].Builtin {
		t.Errorf("Verify() = %+v, want the one user test passing", results)
	}
	e, err := New(ctx, opts)
	if err != nil {
		t.Fatalf("New() error = %v", err)
	}
	job := manifest.Object{Object: map[string]any{"apiVersion": "batch/v1", "kind": "Job", "metadata": map[string]any{
		"name": "m", "labels": map[string]any{"role": "migration"},
		"annotations": map[string]any{"argocd.argoproj.io/hook": "Sync"}}}}
	res, err := e.Evaluate(ctx, []manifest.Object{job})
	if err != nil {
		t.Fatalf("Evaluate() error = %v", err)
	}
	var got []string
	for _, f := range res.Findings {
		got = append(got, string(f.Severity)+" "+f.Rule+": "+f.Message)
	}
	want := []string{"error main.deny: Job m has no team label", "warning migration-wave: migration runs in Sync wave 0"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings mismatch (-want +got):\n%s", diff)
	}
}

func TestRegoV0Policies(t *testing.T) {
	ctx := context.Background()
	fsys := fstest.MapFS{"old.rego": {Data: []byte("package main\n\ndeny[msg] {\n  input.kind == \"ConfigMap\"\n  msg := \"old style\"\n}\n")}}
	if _, err := New(ctx, Options{Policies: []Source{{Name: "policy", FS: fsys}}}); err == nil {
		t.Fatalf("New() parsed a v0 policy as v1")
	}
	e, err := New(ctx, Options{Policies: []Source{{Name: "policy", FS: fsys}}, RegoVersion: "v0", NoBuiltin: true})
	if err != nil {
		t.Fatalf("New() error = %v", err)
	}
	res, err := e.Evaluate(ctx, []manifest.Object{cm("a", nil, 1)})
	if err != nil {
		t.Fatalf("Evaluate() error = %v", err)
	}
	if len(res.Findings) != 1 || res.Findings[0].Message != "old style" {
		t.Errorf("findings = %+v, want the v0 deny", res.Findings)
	}
}

func TestDataFiles(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "teams.yaml"), []byte("allowed_teams:\n- blue\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	fsys := fstest.MapFS{"p.rego": {Data: []byte(`package main

deny contains msg if {
	not input.metadata.labels.team in data.allowed_teams
	msg := sprintf("team %v is not allowed", [input.metadata.labels.team])
}
`)}}
	e, err := New(ctx, Options{Policies: []Source{{Name: "policy", FS: fsys}}, DataFiles: []string{dir}, NoBuiltin: true})
	if err != nil {
		t.Fatalf("New() error = %v", err)
	}
	blue, red := cm("blue", nil, 1), cm("red", nil, 5)
	blue.Object["metadata"].(map[string]any)["labels"] = map[string]any{"team": "blue"}
	red.Object["metadata"].(map[string]any)["labels"] = map[string]any{"team": "red"}
	res, err := e.Evaluate(ctx, []manifest.Object{blue, red})
	if err != nil {
		t.Fatalf("Evaluate() error = %v", err)
	}
	if len(res.Findings) != 1 || res.Findings[0].Message != "team red is not allowed" {
		t.Errorf("findings = %+v, want only red denied", res.Findings)
	}
	if err := os.WriteFile(filepath.Join(dir, "bad.json"), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := New(ctx, Options{DataFiles: []string{dir}}); err == nil || !strings.Contains(err.Error(), "bad.json") {
		t.Errorf("New() with a broken data file: error = %v, want it to name bad.json", err)
	}
}

// TestEvaluateConcurrent runs Evaluate on one Linter from many goroutines with different
// inputs (run with -race): each result must equal the sequential result of the same input.
// Before the evaluation state moved out of the Linter, evaluations shared one store.
func TestEvaluateConcurrent(t *testing.T) {
	ctx := context.Background()
	e, err := New(ctx, Options{Policies: []Source{{Name: "user", FS: fstest.MapFS{"main.rego": {Data: []byte(`package main

deny contains msg if {
	input.kind == "ConfigMap"
	not input.metadata.labels.team
	msg := sprintf("%s has no team label", [input.metadata.name])
}
`)}}}}})
	if err != nil {
		t.Fatal(err)
	}
	inputs := [][]manifest.Object{
		{cm("a", map[string]any{"argocd.argoproj.io/sync-wave": "1.5"}, 1)},
		{cm("b", map[string]any{"argocd.argoproj.io/hook": "PreSyn"}, 2), cm("c", nil, 9)},
		{cm("d", map[string]any{"argocd.argoproj.io/sync-wave": 5}, 3)},
		{cm("e", map[string]any{"argocd.argoproj.io/sync-options": "prune=false"}, 4)},
		{},
	}
	want := make([]*Result, len(inputs))
	for i, objs := range inputs {
		if want[i], err = e.Evaluate(ctx, objs); err != nil {
			t.Fatal(err)
		}
		if i < 4 && len(want[i].Findings) == 0 {
			t.Fatalf("input %d: no findings; the test needs inputs that differ", i)
		}
	}
	const rounds = 4
	got := make([]*Result, rounds*len(inputs))
	errs := make([]error, len(got))
	var wg sync.WaitGroup
	for j := range got {
		wg.Go(func() { got[j], errs[j] = e.Evaluate(ctx, inputs[j%len(inputs)]) })
	}
	wg.Wait()
	for j := range got {
		if errs[j] != nil {
			t.Fatalf("evaluation %d: %v", j, errs[j])
		}
		if diff := cmp.Diff(want[j%len(inputs)], got[j]); diff != "" {
			t.Errorf("concurrent evaluation %d differs from the sequential one (-want +got):\n%s", j, diff)
		}
	}
}
