package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestVerify(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		// stdout lines that must appear (text output), or stderr text for failures.
		stdout []string
		stderr string
	}{
		{
			name:   "built-in rule pack passes",
			args:   []string{"verify"},
			code:   ExitOK,
			stdout: []string{"PASS  wavecheck.rules.", " 0 failed, 0 errors"},
		},
		{
			name: "user tests with a failure",
			args: []string{"verify", "--no-builtin", "testdata/verify/mixed"},
			code: ExitFindings,
			stdout: []string{
				"PASS  main.test_missing_team_warns (testdata/verify/mixed/labels_test.rego:3)",
				"PASS  main.test_team_label_passes (testdata/verify/mixed/labels_test.rego:7)",
				"FAIL  main.test_wrong_expectation (testdata/verify/mixed/labels_test.rego:12)",
				"      | evaluating the wrong expectation",
				"SKIP  main.todo_test_later",
				"4 tests: 2 passed, 1 failed, 0 errors, 1 skipped",
			},
		},
		{
			name:   "run filter",
			args:   []string{"verify", "--no-builtin", "testdata/verify/mixed", "--run", "team"},
			code:   ExitOK,
			stdout: []string{"2 tests: 2 passed, 0 failed, 0 errors, 0 skipped"},
		},
		{name: "syntax error names file and line", args: []string{"verify", "testdata/verify/broken"}, code: ExitFailure, stderr: "testdata/verify/broken/syntax.rego:4"},
		{name: "missing dir", args: []string{"verify", "testdata/verify/nope"}, code: ExitFailure, stderr: "testdata/verify/nope"},
		{name: "no-builtin needs a dir", args: []string{"verify", "--no-builtin"}, code: ExitFailure, stderr: "--no-builtin"},
		{name: "bad run regexp", args: []string{"verify", "--run", "("}, code: ExitFailure, stderr: "--run"},
		{name: "no test matches", args: []string{"verify", "--run", "^nothing$"}, code: ExitFailure, stderr: "no tests"},
		{name: "bad output", args: []string{"verify", "-o", "sarif"}, code: ExitFailure, stderr: `unknown format "sarif"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code := runWavecheck(t, tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.code, stdout, stderr)
			}
			for _, want := range tt.stdout {
				if !strings.Contains(stdout, want) {
					t.Errorf("stdout lacks %q:\n%s", want, stdout)
				}
			}
			if !strings.Contains(stderr, tt.stderr) {
				t.Errorf("stderr lacks %q:\n%s", tt.stderr, stderr)
			}
		})
	}
}

func TestVerifyJSON(t *testing.T) {
	stdout, stderr, code := runWavecheck(t, "verify", "--no-builtin", "-o", "json", "testdata/verify/mixed")
	if code != ExitFindings {
		t.Fatalf("exit %d, want %d; stderr:\n%s", code, ExitFindings, stderr)
	}
	var doc struct {
		Tests []struct {
			Name    string `json:"name"`
			Outcome string `json:"outcome"`
		} `json:"tests"`
		Summary map[string]int `json:"summary"`
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("parse: %v\n%s", err, stdout)
	}
	want := map[string]int{"tests": 4, "passed": 2, "failed": 1, "errors": 0, "skipped": 1}
	if diff := cmp.Diff(want, doc.Summary); diff != "" {
		t.Errorf("summary (-want +got):\n%s", diff)
	}
	if len(doc.Tests) != 4 {
		t.Errorf("tests = %d, want 4", len(doc.Tests))
	}
}
