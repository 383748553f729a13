//go:build !sidecar

package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const replayApps = "../../../../engine/testdata/apps"

func TestReplayJSONContract(t *testing.T) {
	stdout, stderr, code := runWavecheck(t, "replay", filepath.Join(replayApps, "syncfail"), "--fail", "Job/migrate", "-o", "json")
	if code != ExitFindings {
		t.Fatalf("exit %d, want %d for a failed sync; stderr: %s", code, ExitFindings, stderr)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("decode: %v\n%s", err, stdout)
	}
	var keys []string
	for k := range doc {
		keys = append(keys, k)
	}
	if diff := cmp.Diff([]string{"message", "notRun", "phase", "simulatedSeconds", "steps", "version"}, sorted(keys)); diff != "" {
		t.Errorf("top-level keys (-want +got):\n%s", diff)
	}
	steps := doc["steps"].([]any)
	keys = nil
	for k := range steps[0].(map[string]any) {
		keys = append(keys, k)
	}
	want := []string{"action", "atSeconds", "hook", "kind", "message", "name", "namespace", "result", "seq", "syncPhase", "wave"}
	if diff := cmp.Diff(want, sorted(keys)); diff != "" {
		t.Errorf("step keys (-want +got):\n%s", diff)
	}
	if doc["version"] != float64(1) || doc["phase"] != "Failed" {
		t.Errorf("version/phase = %v/%v", doc["version"], doc["phase"])
	}
	// what never ran: the Sync wave after the failed PreSync hook (docs/replay.md "notRun")
	notRun := doc["notRun"].([]any)
	if len(notRun) != 1 {
		t.Fatalf("notRun = %v, want Deployment/api", notRun)
	}
	task := notRun[0].(map[string]any)
	if task["kind"] != "Deployment" || task["name"] != "api" || task["phase"] != "Sync" || task["wave"] != float64(0) {
		t.Errorf("notRun[0] = %v, want Sync wave 0 Deployment/api", task)
	}
	// the failed hook's deletion by its HookFailed policy is clean-up
	var cleanup []string
	for _, s := range steps {
		if st := s.(map[string]any); st["cleanup"] == true {
			cleanup = append(cleanup, st["action"].(string)+" "+st["kind"].(string)+"/"+st["name"].(string))
		}
	}
	if diff := cmp.Diff([]string{"delete Job/migrate"}, cleanup); diff != "" {
		t.Errorf("cleanup steps (-want +got):\n%s", diff)
	}
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func TestReplayExpect(t *testing.T) {
	app := filepath.Join(replayApps, "bhc")
	live := filepath.Join(replayApps, "bhc-live", "live.yaml")
	expect, _, code := runWavecheck(t, "replay", app, "--live", live, "-o", "expect")
	if code != ExitOK {
		t.Fatalf("replay -o expect: exit %d", code)
	}
	file := filepath.Join(t.TempDir(), "expect.yaml")
	if err := os.WriteFile(file, []byte(expect), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, stderr, code := runWavecheck(t, "replay", app, "--live", live, "--expect", file); code != ExitOK {
		t.Fatalf("matching expectation: exit %d: %s", code, stderr)
	}
	// without the live Job there is no BeforeHookCreation deletion: the order differs
	_, stderr, code := runWavecheck(t, "replay", app, "--expect", file)
	// a unified diff of the expect file (YAML, as written): the BeforeHookCreation deletion
	// it expects is missing
	for _, want := range []string{"--- " + file + " (expected)\n+++ replay (actual)\n@@ ", "\n-  - delete Job/db-migrate\n"} {
		if code != ExitFindings || !strings.Contains(stderr, want) {
			t.Fatalf("differing replay: exit %d, want %q in stderr:\n%s", code, want, stderr)
		}
	}
	if strings.Contains(stderr, "engine.Expectation") {
		t.Errorf("diff shows Go structs:\n%s", stderr)
	}
	// a JSON expect file gets its diff in JSON
	jsonFile := filepath.Join(t.TempDir(), "expect.json")
	if err := os.WriteFile(jsonFile, []byte(`{"phase": "Failed", "waves": []}`), 0o644); err != nil {
		t.Fatal(err)
	}
	_, stderr, code = runWavecheck(t, "replay", app, "--expect", jsonFile)
	if code != ExitFindings || !strings.Contains(stderr, `-  "phase": "Failed",`) || !strings.Contains(stderr, `+  "phase": "Succeeded",`) {
		t.Fatalf("JSON expectation: exit %d, stderr:\n%s", code, stderr)
	}
}

// Progress lines go to stderr with --progress, never with --no-progress, and not by default
// when stderr is not a terminal (as in this test); stdout is the report alone.
func TestReplayProgress(t *testing.T) {
	app := filepath.Join(replayApps, "syncfail")
	stdout, stderr, code := runWavecheck(t, "replay", app, "--progress")
	if code != ExitOK || !strings.Contains(stderr, "Sync wave 0: Succeeded") || strings.Contains(stdout, "[") {
		t.Errorf("--progress: exit %d, stderr %q", code, stderr)
	}
	for _, args := range [][]string{{"--no-progress"}, {}} {
		if _, stderr, code := runWavecheck(t, append([]string{"replay", app}, args...)...); code != ExitOK || stderr != "" {
			t.Errorf("%v: exit %d, stderr %q; want none", args, code, stderr)
		}
	}
	if _, _, code := runWavecheck(t, "replay", app, "--progress", "--no-progress"); code != ExitFailure {
		t.Errorf("--progress --no-progress: exit %d, want a usage error", code)
	}
}

func TestDelayedWriter(t *testing.T) {
	now := time.Unix(0, 0)
	var out strings.Builder
	d := &delayed{w: &out, after: 2 * time.Second, since: now, now: func() time.Time { return now }}
	for _, step := range []struct {
		at   time.Duration
		line string
	}{{0, "early\n"}, {1999 * time.Millisecond, "still early\n"}, {2 * time.Second, "late\n"}, {3 * time.Second, "later\n"}} {
		now = time.Unix(0, 0).Add(step.at)
		if n, err := d.Write([]byte(step.line)); err != nil || n != len(step.line) {
			t.Fatalf("write %q: %d, %v", step.line, n, err)
		}
	}
	if out.String() != "late\nlater\n" {
		t.Errorf("delayed writer wrote %q, want the lines after 2s", out.String())
	}
}

func TestReplayUsageErrors(t *testing.T) {
	app := filepath.Join(replayApps, "syncfail")
	for _, args := range [][]string{
		{"replay", app, "--fail", "Job"},
		{"replay", app, "--duration", "Job=soon"},
		{"replay", app, "-o", "yaml"},
		{"replay", app, "--context", "x"},
		{"replay", app, "--kubeconfig", "k", "--fail", "Job/x"},
		{"plan", app, "-o", "yaml"},
		{"plan", app, "-o", "expect"},
		{"replay", app, "--timeout", "-1s"},
		{"replay", app, "--load-balancer", "metallb"},
		{"replay", app, "--kubeconfig", "k", "--load-balancer", "none"},
	} {
		if _, stderr, code := runWavecheck(t, args...); code != ExitFailure || stderr == "" {
			t.Errorf("%v: exit %d, stderr %q; want a usage error", args, code, stderr)
		}
	}
}

// Regression: --fail with a typo ran a green replay, so a CI check that "a failing migration
// runs the SyncFail hook" passed by accident.
func TestReplayUnknownFaultTarget(t *testing.T) {
	app := filepath.Join(replayApps, "syncfail")
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--fail", "Job/migrat"}, "--fail Job/migrat: no object of the app is Job/migrat (did you mean Job/migrate?)"},
		{[]string{"--hang", "Deployment/apu"}, "(did you mean Deployment/api?)"},
		{[]string{"--fail", "Job/nothing-like-it"}, "want KIND/NAME of an object of the app"},
		{[]string{"--delete", "--fail", "Job/migrat"}, "did you mean Job/migrate?"},
	}
	for _, tc := range tests {
		stdout, stderr, code := runWavecheck(t, append([]string{"replay", app}, tc.args...)...)
		if code != ExitFailure || !strings.Contains(stderr, tc.want) || stdout != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit %d naming %q", tc.args, code, stdout, stderr, ExitFailure, tc.want)
		}
	}
	// a generateName prefix and the name generated from it both name the SyncFail hook (which
	// does not run: the sync succeeds)
	for _, ref := range []string{"Job/notify-failure-", "Job/notify-failure-0000000-syncfail-1767225600"} {
		if _, stderr, code := runWavecheck(t, "replay", app, "--fail", ref); code != ExitOK {
			t.Errorf("--fail %s: exit %d, stderr %q; want a replay (exit %d)", ref, code, stderr, ExitOK)
		}
	}
}

func TestReplayLoadBalancerModel(t *testing.T) {
	app := filepath.Join(replayApps, "loadbalancer")
	stdout, _, code := runWavecheck(t, "replay", app, "-o", "json")
	if code != ExitOK || !strings.Contains(stdout, `"about": "loadBalancer"`) || !strings.Contains(stdout, `"model": "cloud"`) {
		t.Errorf("default model: exit %d\n%s", code, stdout)
	}
	stdout, _, code = runWavecheck(t, "replay", app, "--load-balancer", "none", "--timeout", "1m")
	if code != ExitFindings || !strings.Contains(stdout, "loadBalancer: none") || !strings.Contains(stdout, "timed out") {
		t.Errorf("--load-balancer none: exit %d\n%s", code, stdout)
	}
}

func TestReplayDeleteAndPlan(t *testing.T) {
	stdout, _, code := runWavecheck(t, "replay", filepath.Join(replayApps, "deletion"), "--delete")
	if code != ExitOK || !strings.Contains(stdout, "PreDelete") || !strings.Contains(stdout, "Result: Succeeded") {
		t.Errorf("replay --delete: exit %d\n%s", code, stdout)
	}
	stdout, _, code = runWavecheck(t, "plan", filepath.Join(replayApps, "bubbling"))
	if code != ExitOK || !strings.Contains(stdout, "moved before its first dependant (annotated wave 5)") {
		t.Errorf("plan: exit %d\n%s", code, stdout)
	}
	// every format for plan as for replay; table is text's former name
	for _, format := range []string{"text", "table", "json", "mermaid"} {
		if stdout, _, code := runWavecheck(t, "plan", filepath.Join(replayApps, "syncfail"), "-o", format); code != ExitOK || !strings.Contains(stdout, "migrate") {
			t.Errorf("plan -o %s: exit %d\n%s", format, code, stdout)
		}
	}
	// the plan's JSON lists are never null
	stdout, _, code = runWavecheck(t, "plan", filepath.Join(replayApps, "syncfail"), "-o", "json")
	if code != ExitOK || !strings.Contains(stdout, `"neverApplied": []`) || !strings.Contains(stdout, `"deletionHooks": []`) {
		t.Errorf("plan -o json: exit %d\n%s", code, stdout)
	}
	// the objects Argo CD never applies, and why
	stdout, _, code = runWavecheck(t, "plan", "../../../../examples/broken-hooks")
	for _, want := range []string{`unknown hook type "Presync"`, `sync-wave "1.5" is not an integer: wave 0`,
		"annotations dropped (non-string value of argocd.argoproj.io/sync-wave)", `delete policy "OnSuccess" ignored`} {
		if code != ExitOK || !strings.Contains(stdout, want) {
			t.Errorf("plan examples/broken-hooks: exit %d, want %q:\n%s", code, want, stdout)
		}
	}
	stdout, _, code = runWavecheck(t, "replay", filepath.Join(replayApps, "syncfail"), "--hang", "Job/migrate", "--timeout", "30s", "--duration", "pod=1s", "-o", "mermaid")
	if code != ExitFindings || !strings.Contains(stdout, "flowchart TD") || !strings.Contains(stdout, "Failed after 30s") {
		t.Errorf("hang: exit %d\n%s", code, stdout)
	}
}
