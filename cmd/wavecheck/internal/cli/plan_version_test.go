//go:build !sidecar

package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPlanArgoCDVersion: plan explains hook types the target Argo CD version does not run.
func TestPlanArgoCDVersion(t *testing.T) {
	dir := t.TempDir()
	app := `apiVersion: batch/v1
kind: Job
metadata:
  name: cleanup
  annotations:
    argocd.argoproj.io/hook: PreDelete
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: both
  annotations:
    argocd.argoproj.io/hook: PostSync,PostDelete
`
	if err := os.WriteFile(filepath.Join(dir, "app.yaml"), []byte(app), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		version string
		want    []string
		code    int
	}{
		{"3.2", []string{`hook type "PreDelete" needs Argo CD >= 3.3 (target 3.2): the hook never runs`}, ExitOK},
		{"2.9", []string{`hook type "PostDelete" needs Argo CD >= 2.10 (target 2.9): ignored by the target version`}, ExitOK},
		{"3.6", []string{"app deletion only: stripped from the sync"}, ExitOK},
		{"three", nil, ExitFailure},
	}
	for _, tt := range tests {
		t.Run(tt.version, func(t *testing.T) {
			stdout, stderr, code := runWavecheck(t, "plan", dir, "--argocd-version", tt.version)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\n%s%s", code, tt.code, stdout, stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(stdout, w) {
					t.Errorf("plan does not say %q:\n%s", w, stdout)
				}
			}
			if tt.code == ExitFailure && !strings.Contains(stderr, "--argocd-version") {
				t.Errorf("stderr does not name the flag: %s", stderr)
			}
		})
	}
}
