//go:build !sidecar

package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
	if diff := cmp.Diff([]string{"message", "phase", "simulatedSeconds", "steps", "version"}, sorted(keys)); diff != "" {
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
	if code != ExitFindings || !strings.Contains(stderr, "-expected +actual") || !strings.Contains(stderr, "delete Job/db-migrate") {
		t.Fatalf("differing replay: exit %d, stderr:\n%s", code, stderr)
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
	stdout, _, code = runWavecheck(t, "replay", filepath.Join(replayApps, "syncfail"), "--hang", "Job/migrate", "--timeout", "30s", "--duration", "pod=1s", "-o", "mermaid")
	if code != ExitFindings || !strings.Contains(stdout, "flowchart TD") || !strings.Contains(stdout, "Failed after 30s") {
		t.Errorf("hang: exit %d\n%s", code, stdout)
	}
}
