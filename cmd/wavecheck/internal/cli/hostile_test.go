package cli

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/wavecheck/wavecheck/internal/testfs"
)

// writeApp writes files (slash paths) into a new app directory inside a repository (a .git
// folder marks its root) and returns the app directory.
func writeApp(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	files[".git/HEAD"] = "ref: refs/heads/main\n"
	testfs.Write(t, root, files)
	return root
}

// TestNullMetadataMaps is the regression test of issue 13 item 6: `labels: null` and
// `annotations: null` (common in Helm output) are absent maps for every command, as for the
// API server and Argo CD (util/kube.nestedNullableStringMap). plan and replay failed with
// ".metadata.labels is not a map".
func TestNullMetadataMaps(t *testing.T) {
	clearWavecheckEnv(t)
	dir := writeApp(t, map[string]string{"cm.yaml": `apiVersion: v1
kind: ConfigMap
metadata:
  name: a
  labels: null
  annotations: null
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: b
  labels:
  annotations: ~
`})
	tests := []struct {
		args []string
		want []string // stdout substrings
	}{
		{args: []string{"validate", dir}, want: []string{"2 objects, 0 errors"}},
		{args: []string{"plan", dir}, want: []string{"ConfigMap  default    a", "ConfigMap  default    b"}},
		{args: []string{"replay", dir}, want: []string{"ConfigMap/default/a    Synced", "ConfigMap/default/b    Synced", "Result: Succeeded"}},
		{args: []string{"replay", "--delete", dir}, want: []string{"Result: Succeeded"}},
		{args: []string{"generate", dir}, want: []string{"name: a", "name: b"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args[:len(tt.args)-1], " "), func(t *testing.T) {
			if edition != "" && (tt.args[0] == "plan" || tt.args[0] == "replay") {
				t.Skip("the sidecar build has no plan or replay")
			}
			code, stdout, stderr := runCLI(t, tt.args...)
			if code != ExitOK {
				t.Fatalf("exit %d, stderr:\n%s", code, stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(stdout, w) {
					t.Errorf("stdout lacks %q:\n%s", w, stdout)
				}
			}
		})
	}
}

// TestNamesEscaped is the regression test of issue 13 item 11: an object name with a
// terminal escape sequence or a newline cannot forge lines of the text report or of
// generate's error block (the Argo CD UI).
func TestNamesEscaped(t *testing.T) {
	clearWavecheckEnv(t)
	root := writeApp(t, map[string]string{"app/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n" +
		"  name: \"evil\\nsync-wave-not-integer: ConfigMap/forged: all good\\u001b[2K\"\n" +
		"  annotations:\n    argocd.argoproj.io/sync-wave: \"1.5\"\n"})
	app := filepath.Join(root, "app")
	const escaped = `ConfigMap/evil\nsync-wave-not-integer: ConfigMap/forged: all good\x1b[2K`
	for _, args := range [][]string{{"validate", app}, {"generate", app}} {
		t.Run(args[0], func(t *testing.T) {
			code, stdout, stderr := runCLI(t, args...)
			if code != ExitFindings {
				t.Fatalf("exit %d, stderr:\n%s", code, stderr)
			}
			out := stdout + stderr
			if strings.ContainsAny(out, "\x1b") || strings.Contains(out, "\nsync-wave-not-integer: ConfigMap/forged") {
				t.Errorf("raw name in the output:\n%q", out)
			}
			if !strings.Contains(out, escaped) {
				t.Errorf("output lacks the escaped name %q:\n%s", escaped, out)
			}
		})
	}
}
