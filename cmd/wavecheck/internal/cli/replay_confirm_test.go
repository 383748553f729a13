//go:build !sidecar

package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// unreachableKubeconfig writes a kubeconfig whose server refuses connections.
func unreachableKubeconfig(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "kubeconfig")
	cfg := `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: ctx, context: {cluster: c, user: u}}]
current-context: ctx
`
	if err := os.WriteFile(p, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestReplayRealClusterConfirmation: a replay that applies to a real cluster asks first; with
// standard input not a terminal it refuses unless --yes (or --dry-run, which applies nothing).
func TestReplayRealClusterConfirmation(t *testing.T) {
	app := filepath.Join(replayApps, "syncfail")
	kc := unreachableKubeconfig(t)
	tests := []struct {
		name    string
		args    []string
		want    string
		notWant string
	}{
		{"refused without --yes", nil, "applies the app to https://127.0.0.1:1 (context \"ctx\"): pass --dry-run", "reach the API server"},
		{"--yes goes ahead", []string{"--yes"}, "reach the API server", "pass --dry-run"},
		{"--dry-run goes ahead", []string{"--dry-run"}, "reach the API server", "pass --dry-run"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			args := append([]string{"replay", app, "--kubeconfig", kc}, tt.args...)
			code := RunIO(context.Background(), args, strings.NewReader("y\n"), &out, &errb)
			stderr := errb.String()
			if code != ExitFailure || !strings.Contains(stderr, tt.want) || strings.Contains(stderr, tt.notWant) {
				t.Errorf("exit %d, stderr:\n%s\nwant exit %d with %q and without %q", code, stderr, ExitFailure, tt.want, tt.notWant)
			}
			if out.Len() != 0 {
				t.Errorf("stdout not empty: %q", out.String())
			}
		})
	}
}

// Regression: an unreachable --kubeconfig printed "failed to get server version" twice (Argo
// CD's cluster cache wraps kubectl's error in the same words); now the reason appears once.
func TestReplayUnreachableClusterOnce(t *testing.T) {
	_, stderr, code := runWavecheck(t, "replay", filepath.Join(replayApps, "syncfail"), "--kubeconfig", unreachableKubeconfig(t), "--dry-run")
	if code != ExitFailure {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if n := strings.Count(stderr, "connection refused"); n != 1 || strings.Count(stderr, "server version") > 0 {
		t.Errorf("stderr states the reason %d times (want once, without \"server version\"):\n%s", n, stderr)
	}
	if !strings.Contains(stderr, "check --kubeconfig and --context") {
		t.Errorf("stderr lacks the fix:\n%s", stderr)
	}
}
