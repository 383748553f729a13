package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Apps for the action and pre-commit tests: one clean, one with an error finding.
var (
	goodApp = map[string]string{"cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  annotations:\n    argocd.argoproj.io/sync-wave: \"1\"\ndata:\n  a: b\n"}
	badApp  = map[string]string{"hooks.yaml": "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: db-migrate\n  annotations:\n    argocd.argoproj.io/hook: PreSyn\nspec:\n  backoffLimit: 1\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: m\n        image: busybox:1.36\n"}
)

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestActionScript runs the GitHub Action's script (deploy/action/run.sh) as the runner would,
// against a local HTTP server serving a `make dist` release of the host binary: it verifies the
// checksum, installs the binary, writes SARIF, and reports validate's exit code as an output.
func TestActionScript(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("no curl")
	}
	cfg := loadConfig(t)
	release := filepath.Join(t.TempDir(), testVersion)
	if _, err := Package("../..", cfg, testVersion, map[Platform]string{hostPlatform: hostBinary}, release, epoch); err != nil {
		t.Fatal(err)
	}
	// A second release whose archive does not match its SHA256SUMS (the sum of the real one).
	tampered := filepath.Join(filepath.Dir(release), "v9.9.9")
	sums, err := os.ReadFile(filepath.Join(release, "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	writeFiles(t, tampered, map[string]string{
		"SHA256SUMS": strings.ReplaceAll(string(sums), "_9.8.7_", "_9.9.9_"),
		ArchiveName(cfg, "v9.9.9", hostPlatform) + ".tar.gz": "not the archive",
	})
	srv := httptest.NewServer(http.FileServer(http.Dir(filepath.Dir(release))))
	defer srv.Close()

	script, err := filepath.Abs("../action/run.sh")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, version string
		app           map[string]string
		wantExit      string // the exit-code output
		wantFail      string // the script fails with this message
	}{
		{name: "clean app", version: testVersion, app: goodApp, wantExit: "0"},
		{name: "app with an error", version: testVersion, app: badApp, wantExit: "1"},
		{name: "checksum mismatch", version: "v9.9.9", app: goodApp, wantFail: "checksum mismatch for wavecheck_9.9.9_"},
		{name: "no such release", version: "v0.0.1", app: goodApp, wantFail: "download " + srv.URL + "/v0.0.1/wavecheck_0.0.1_"},
		{name: "not a tag", version: "main", app: goodApp, wantFail: "is not a release tag"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			work := t.TempDir()
			writeFiles(t, filepath.Join(work, "apps", "app"), tc.app)
			outputs, path := filepath.Join(work, "github_output"), filepath.Join(work, "github_path")
			cmd := exec.Command("bash", script)
			cmd.Dir = work
			cmd.Env = append(os.Environ(),
				"WAVECHECK_VERSION="+tc.version, "WAVECHECK_DOWNLOAD_URL="+srv.URL,
				"WAVECHECK_PATHS=apps/app", "WAVECHECK_SARIF=out.sarif",
				"GITHUB_OUTPUT="+outputs, "GITHUB_PATH="+path, "RUNNER_TEMP="+work, "GITHUB_ACTIONS=true")
			out, err := cmd.CombinedOutput()
			if tc.wantFail != "" {
				if err == nil || !strings.Contains(string(out), tc.wantFail) {
					t.Fatalf("script: %v, want a failure containing %q:\n%s", err, tc.wantFail, out)
				}
				return
			}
			if err != nil {
				t.Fatalf("script: %v\n%s", err, out)
			}
			got, _ := os.ReadFile(outputs)
			if want := "exit-code=" + tc.wantExit + "\nsarif=out.sarif\n"; string(got) != want {
				t.Errorf("GITHUB_OUTPUT = %q, want %q\n%s", got, want, out)
			}
			var sarif struct {
				Version string `json:"version"`
				Runs    []struct {
					Tool struct {
						Driver struct{ Name, Version string }
					}
					Results []struct{ RuleID string }
				} `json:"runs"`
			}
			raw, err := os.ReadFile(filepath.Join(work, "out.sarif"))
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(raw, &sarif); err != nil || sarif.Version != "2.1.0" || len(sarif.Runs) != 1 {
				t.Fatalf("SARIF: %v %s", err, raw)
			}
			if d := sarif.Runs[0].Tool.Driver; d.Name != "wavecheck" || d.Version != testVersion {
				t.Errorf("SARIF driver %s %s", d.Name, d.Version)
			}
			var errorRule bool
			for _, r := range sarif.Runs[0].Results {
				errorRule = errorRule || r.RuleID == "hook-unknown-type"
			}
			if errorRule != (tc.wantExit == "1") {
				t.Errorf("SARIF results %+v", sarif.Runs[0].Results)
			}
			if tc.wantExit == "1" && !strings.Contains(string(out), "::error") {
				t.Errorf("no GitHub annotation in the log:\n%s", out)
			}
			dir, _ := os.ReadFile(path)
			if _, err := os.Stat(filepath.Join(strings.TrimSpace(string(dir)), "wavecheck")); err != nil {
				t.Errorf("GITHUB_PATH %q does not hold the installed binary: %v", dir, err)
			}
		})
	}
}
