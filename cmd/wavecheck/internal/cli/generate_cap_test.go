package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestGenerateErrorReportCapped: what generate prints on failure is stored by Argo CD in the
// Application's condition: it stays short whatever the repository holds, and the full report
// goes to the report log.
func TestGenerateErrorReportCapped(t *testing.T) {
	hugeWave := strings.Repeat("9", 2<<20)
	hugeFail := strings.Repeat("the chart refuses this value. ", 100_000)
	var manyErrs strings.Builder
	for i := range 500 {
		manyErrs.WriteString("---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm" + strings.Repeat("x", 200) + string(rune('a'+i%26)) + strings.Repeat("y", i) + "\n  annotations:\n    argocd.argoproj.io/sync-wave: \"1.5\"\n")
	}
	repo := writeRepo(t, map[string]string{
		"apps/hugewave/cm.yaml":           "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n  annotations:\n    argocd.argoproj.io/sync-wave: \"" + hugeWave + "\"\n",
		"apps/helmfail/Chart.yaml":        "apiVersion: v2\nname: c\nversion: 0.1.0\n",
		"apps/helmfail/templates/cm.yaml": "{{ fail (repeat 1 .Values.msg) }}\n",
		"apps/helmfail/values.yaml":       "msg: \"" + hugeFail + "\"\n",
		"apps/manyerrors/cms.yaml":        manyErrs.String(),
	})
	tests := []struct {
		name     string
		app      string
		env      map[string]string
		wantCode int
		want     []string // in the capped stderr
		inLog    string   // in the full report
	}{
		{name: "huge sync-wave value", app: "hugewave", wantCode: ExitFindings, want: []string{"sync-wave-not-integer: ConfigMap/cm", "more bytes)", "the full report is in the sidecar log"}, inLog: hugeWave},
		{name: "helm fail with a long message", app: "helmfail", wantCode: ExitFailure, want: []string{"wavecheck: ", "the chart refuses this value.", "more bytes)"}, inLog: hugeFail[:100_000]},
		{name: "many long errors shown", app: "manyerrors", env: map[string]string{"WAVECHECK_MAX_ERRORS": "100000"}, wantCode: ExitFindings, want: []string{"wavecheck: 500 policy errors", "more lines)"}, inLog: "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearWavecheckEnv(t)
			logPath := filepath.Join(t.TempDir(), "report.log")
			t.Setenv("WAVECHECK_REPORT_LOG", logPath)
			t.Setenv("ARGOCD_APP_NAME", "shop")
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			t.Chdir(filepath.Join(repo, "apps", tt.app))
			code, stdout, stderr := runCLI(t, "generate")
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d; stderr (%d bytes):\n%.2000s", code, tt.wantCode, len(stderr), stderr)
			}
			if stdout != "" {
				t.Errorf("stdout has %d bytes", len(stdout))
			}
			if len(stderr) > 4096+256 {
				t.Errorf("stderr has %d bytes, want at most about 4 KiB", len(stderr))
			}
			for _, l := range strings.Split(stderr, "\n") {
				if len(l) > 512+32 {
					t.Errorf("stderr line of %d bytes", len(l))
				}
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
			log, err := os.ReadFile(logPath)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(log), tt.inLog) {
				t.Errorf("the report log (%d bytes) lacks the full report", len(log))
			}
		})
	}
}
