package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeApp writes files (slash paths) into a new app directory inside a repository (a .git
// folder marks its root) and returns the app directory.
func writeApp(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	files[".git/HEAD"] = "ref: refs/heads/main\n"
	for name, body := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
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
