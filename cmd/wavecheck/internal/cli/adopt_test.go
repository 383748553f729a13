package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wavecheck/wavecheck/internal/testfs"
	"github.com/wavecheck/wavecheck/policy"
	"github.com/wavecheck/wavecheck/policy/report"
)

// badWave is an app with one warning-free error (a non-integer wave) and a ConfigMap whose
// hook type is fine: sync-wave-not-integer fires on it.
const badWave = `apiVersion: v1
kind: ConfigMap
metadata:
  name: cfg
  annotations:
    argocd.argoproj.io/sync-wave: "1.5"
data: {a: b}
`

// TestConfigFile checks .wavecheck.yaml: where it is found, what it sets, that flags win and
// that mistakes name the file and key.
func TestConfigFile(t *testing.T) {
	tests := []struct {
		name     string
		files    map[string]string
		args     []string // after "validate -o json"; DIR is replaced by the app directory
		app      string   // app directory, relative to the tree
		wantCode int
		wantErr  string // in stderr
		check    func(t *testing.T, rep *report.Report)
	}{
		{
			name:     "no file",
			files:    map[string]string{".git/HEAD": "", "apps/a/cm.yaml": badWave},
			app:      "apps/a",
			wantCode: ExitFindings,
		},
		{
			name:  "ignore from the repository root",
			files: map[string]string{".git/HEAD": "", ".wavecheck.yaml": "ignore: [sync-wave-not-integer]\n", "apps/a/cm.yaml": badWave},
			app:   "apps/a",
			check: func(t *testing.T, rep *report.Report) {
				if len(rep.Suppressed) != 1 || rep.Suppressed[0].By != "ignore" {
					t.Errorf("suppressed = %+v, want the ignored wave finding", rep.Suppressed)
				}
			},
		},
		{
			name: "the nearest file wins",
			files: map[string]string{".git/HEAD": "", ".wavecheck.yaml": "ignore: [sync-wave-not-integer]\n",
				"apps/.wavecheck.yaml": "minSeverity: error\n", "apps/a/cm.yaml": badWave},
			app:      "apps/a",
			wantCode: ExitFindings,
		},
		{
			name:     "not above the repository root",
			files:    map[string]string{".wavecheck.yaml": "ignore: [sync-wave-not-integer]\n", "repo/.git/HEAD": "", "repo/a/cm.yaml": badWave},
			app:      "repo/a",
			wantCode: ExitFindings,
		},
		{
			name:     "severity from the file",
			files:    map[string]string{".git/HEAD": "", ".wavecheck.yaml": "severity:\n  sync-wave-not-integer: info\n", "a/cm.yaml": badWave},
			app:      "a",
			wantCode: ExitOK,
			check: func(t *testing.T, rep *report.Report) {
				if len(rep.Findings) == 0 || rep.Findings[0].Severity != policy.SeverityInfo {
					t.Errorf("findings = %+v, want the wave finding as info", rep.Findings)
				}
			},
		},
		{
			name:     "a bad severity in the file",
			files:    map[string]string{".git/HEAD": "", ".wavecheck.yaml": "severity:\n  sync-wave-not-integer: fatal\n", "a/cm.yaml": badWave},
			app:      "a",
			wantCode: ExitFailure,
			// Regression: the error named the flag (parse --severity), not the file.
			wantErr: `.wavecheck.yaml: severity of sync-wave-not-integer: parse severity: unknown severity "fatal"`,
		},
		{
			name:     "a flag overrides the file",
			files:    map[string]string{".git/HEAD": "", ".wavecheck.yaml": "ignore: [sync-wave-not-integer]\n", "a/cm.yaml": badWave},
			app:      "a",
			args:     []string{"--ignore", "hook-unknown-type"},
			wantCode: ExitFindings,
		},
		{
			name: "failOn warning, policies and data relative to the file",
			files: map[string]string{".git/HEAD": "",
				".wavecheck.yaml":  "failOn: warning\npolicies: [policy]\ndata: [policy/data.yaml]\n",
				"policy/p.rego":    "package main\n\nwarn contains msg if {\n\tinput.kind == \"Service\"\n\tmsg := data.text\n}\n",
				"policy/data.yaml": "text: services are watched\n",
				"a/svc.yaml":       "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: 80}]}\n",
			},
			app:      "a",
			wantCode: ExitFindings,
			check: func(t *testing.T, rep *report.Report) {
				if len(rep.Findings) != 1 || rep.Findings[0].Message != "services are watched" {
					t.Errorf("findings = %+v, want the user policy's warning", rep.Findings)
				}
			},
		},
		{
			name:     "argocdVersion",
			files:    map[string]string{".git/HEAD": "", ".wavecheck.yaml": "argocdVersion: \"2.9\"\n", "a/job.yaml": "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: j\n  annotations: {argocd.argoproj.io/hook: PostDelete}\nspec: {template: {spec: {restartPolicy: Never, containers: [{name: c, image: busybox}]}}}\n"},
			app:      "a",
			wantCode: ExitOK,
			check: func(t *testing.T, rep *report.Report) {
				if !strings.Contains(strings.Join(ruleIDs(rep.Findings), " "), "hook-version-unsupported") {
					t.Errorf("findings = %v, want hook-version-unsupported for PostDelete before 2.10", ruleIDs(rep.Findings))
				}
			},
		},
		{
			name:     "unknown key",
			files:    map[string]string{".git/HEAD": "", ".wavecheck.yaml": "ignores: [x]\n", "a/cm.yaml": badWave},
			app:      "a",
			wantCode: ExitFailure,
			wantErr:  `.wavecheck.yaml: unknown field "ignores" (known keys: argocdVersion`,
		},
		{
			name:     "bad value",
			files:    map[string]string{".git/HEAD": "", ".wavecheck.yaml": "failOn: info\n", "a/cm.yaml": badWave},
			app:      "a",
			wantCode: ExitFailure,
			wantErr:  `.wavecheck.yaml: failOn: "info" is not error or warning`,
		},
		{
			// Regression: a bad regoVersion in the file was reported later, without naming the
			// file.
			name:     "bad rego version",
			files:    map[string]string{".git/HEAD": "", ".wavecheck.yaml": "regoVersion: v2\n", "a/cm.yaml": badWave},
			app:      "a",
			wantCode: ExitFailure,
			wantErr:  `.wavecheck.yaml: regoVersion: parse rego version: "v2" is not v0 or v1`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := testfs.Tree(t, tt.files)
			args := append([]string{"validate", "-o", "json", filepath.Join(root, tt.app)}, tt.args...)
			stdout, stderr, code := runWavecheck(t, args...)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d\nstderr: %s\nstdout: %s", code, tt.wantCode, stderr, stdout)
			}
			if tt.wantErr != "" {
				if !strings.Contains(stderr, tt.wantErr) || strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
					t.Errorf("stderr = %q, want one line with %q", stderr, tt.wantErr)
				}
				return
			}
			var rep report.Report
			if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
				t.Fatalf("%v\n%s", err, stdout)
			}
			if tt.check != nil {
				tt.check(t, &rep)
			}
		})
	}
}

// TestConfigOutputs checks the outputs key and that -o replaces it.
func TestConfigOutputs(t *testing.T) {
	root := testfs.Tree(t, map[string]string{".git/HEAD": "", ".wavecheck.yaml": "outputs: [json, sarif=out/wavecheck.sarif]\n", "a/cm.yaml": badWave})
	if err := os.Mkdir(filepath.Join(root, "out"), 0o755); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := runWavecheck(t, "validate", filepath.Join(root, "a"))
	if code != ExitFindings {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if err := report.CheckJSONContract([]byte(stdout)); err != nil {
		t.Errorf("stdout is not the JSON report: %v", err)
	}
	if _, err := os.Stat(filepath.Join(root, "out", "wavecheck.sarif")); err != nil {
		t.Errorf("SARIF file relative to the configuration file: %v", err)
	}
	stdout, _, _ = runWavecheck(t, "validate", filepath.Join(root, "a"), "-o", "text")
	if !strings.Contains(stdout, "sync-wave-not-integer") || strings.HasPrefix(stdout, "{") {
		t.Errorf("-o text did not replace the file's outputs:\n%s", stdout)
	}
}

// TestSeveralOutputs writes every format in one run and compares each with a run of its own.
func TestSeveralOutputs(t *testing.T) {
	app := testfs.Tree(t, map[string]string{".git/HEAD": "", "cm.yaml": badWave})
	dir := t.TempDir()
	args := []string{"validate", app, "-o", "text"}
	for _, f := range report.Formats()[1:] {
		args = append(args, "-o", f+"="+filepath.Join(dir, "report."+f))
	}
	stdout, stderr, code := runWavecheck(t, args...)
	if code != ExitFindings {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	want, _, _ := runWavecheck(t, "validate", app, "-o", "text")
	if stdout != want {
		t.Errorf("stdout differs from -o text alone:\n%s\nwant:\n%s", stdout, want)
	}
	for _, f := range report.Formats()[1:] {
		got, err := os.ReadFile(filepath.Join(dir, "report."+f))
		if err != nil {
			t.Fatal(err)
		}
		want, _, _ := runWavecheck(t, "validate", app, "-o", f)
		if string(got) != want {
			t.Errorf("-o %s=FILE differs from -o %s on stdout:\n%s\nwant:\n%s", f, f, got, want)
		}
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != len(report.Formats())-1 {
		t.Errorf("files left in the output folder: %v", ents)
	}
}

// TestOutputsNothingHalfWritten: a failing output leaves no file, not even the ones that
// could be written, and no temporary file.
func TestOutputsNothingHalfWritten(t *testing.T) {
	app := testfs.Tree(t, map[string]string{".git/HEAD": "", "cm.yaml": badWave})
	dir := t.TempDir()
	good := filepath.Join(dir, "ok.sarif")
	_, stderr, code := runWavecheck(t, "validate", app, "-o", "sarif="+good, "-o", "json="+filepath.Join(dir, "missing", "r.json"))
	if code != ExitFailure || !strings.Contains(stderr, "missing") {
		t.Fatalf("exit %d, stderr %q: want a write error naming the file", code, stderr)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("files left behind: %v", ents)
	}
}

func TestOutputUsageErrors(t *testing.T) {
	app := testfs.Tree(t, map[string]string{"cm.yaml": badWave})
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"-o", "text", "-o", "json"}, "both write to stdout"},
		{[]string{"-o", "yaml"}, `parse -o "yaml"`},
		{[]string{"-o", "sarif="}, "want FORMAT or FORMAT=FILE"},
		{[]string{"-o", "sarif=a", "-o", "json=a"}, "is the file of another -o"},
	} {
		_, stderr, code := runWavecheck(t, append([]string{"validate", app}, tt.args...)...)
		if code != ExitFailure || !strings.Contains(stderr, tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want a usage error with %q", tt.args, code, stderr, tt.want)
		}
	}
}

// TestRulesCommand lists the rules from the rule pack's metadata, in text and JSON.
func TestRulesCommand(t *testing.T) {
	want := builtinRuleList(t)
	stdout, stderr, code := runWavecheck(t, "rules", "-o", "json")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var got []policy.Rule
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("rules -o json lists %d rules, the linter has %d", len(got), len(want))
	}
	text, _, code := runWavecheck(t, "rules")
	if code != ExitOK {
		t.Fatalf("rules: exit %d", code)
	}
	lines := strings.Split(strings.TrimSpace(text), "\n")
	if len(lines) != len(want)+1 || !strings.HasPrefix(lines[0], "ID") {
		t.Fatalf("rules: %d lines, want a header and %d rules:\n%s", len(lines), len(want), text)
	}
	for i, r := range want {
		if got[i].ID != r.ID || got[i].Severity != r.Severity || got[i].Title != r.Title {
			t.Errorf("rule %d = %+v, want %+v", i, got[i], r)
		}
		if f := strings.Fields(lines[i+1]); f[0] != r.ID || f[1] != string(r.Severity) || !strings.HasSuffix(lines[i+1], r.Title) {
			t.Errorf("line %q, want %s %s %s", lines[i+1], r.ID, r.Severity, r.Title)
		}
	}
	if _, _, code := runWavecheck(t, "rules", "-o", "yaml"); code != ExitFailure {
		t.Errorf("rules -o yaml: exit %d, want a usage error", code)
	}
}

// TestMessagesSuggestTheFix: each message that left a user stuck (issue 14) says what to do.
func TestMessagesSuggestTheFix(t *testing.T) {
	chart := "apiVersion: v2\nname: c\nversion: 0.1.0\n"
	cm := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"
	tests := []struct {
		name     string
		files    map[string]string
		args     []string // DIR is the tree
		wantCode int
		want     []string
		notWant  []string
	}{
		{
			name:     "path escapes the root without .git: suggest --repo-root",
			files:    map[string]string{"app/kustomization.yaml": "resources: [../base]\n", "base/kustomization.yaml": "resources: [cm.yaml]\n", "base/cm.yaml": cm},
			args:     []string{"render", "DIR/app"},
			wantCode: ExitFailure,
			want:     []string{"escapes the repository root", "--repo-root"},
		},
		{
			name:     "--repo-root set: no suggestion",
			files:    map[string]string{"r/app/kustomization.yaml": "resources: [../../base]\n", "base/kustomization.yaml": "resources: [cm.yaml]\n", "base/cm.yaml": cm},
			args:     []string{"render", "DIR/r/app", "--repo-root", "DIR/r"},
			wantCode: ExitFailure,
			want:     []string{"escapes the repository root"},
			notWant:  []string{"pass --repo-root"},
		},
		{
			name:     "-f relative to the chart",
			files:    map[string]string{".git/HEAD": "", "chart/Chart.yaml": chart, "chart/templates/cm.yaml": cm, "values-prod.yaml": "a: b\n"},
			args:     []string{"render", "DIR/chart", "-f", "values-prod.yaml"},
			wantCode: ExitFailure,
			want:     []string{`values file "values-prod.yaml" not found`, "relative to the chart directory", "not to the working directory"},
		},
		{
			name:     "--source-type helm without Chart.yaml",
			files:    map[string]string{".git/HEAD": "", "app/cm.yaml": cm},
			args:     []string{"render", "DIR/app", "--source-type", "helm"},
			wantCode: ExitFailure,
			want:     []string{"app: the directory has no Chart.yaml", "drop --source-type helm"},
			notWant:  []string{"Chart.yaml: ", "ends in Chart.yaml"},
		},
		{
			name:     "empty directory",
			files:    map[string]string{".git/HEAD": "", "app/README.md": "nothing\n"},
			args:     []string{"validate", "DIR/app"},
			wantCode: ExitFailure,
			want:     []string{"renders no objects", "prune", "--allow-empty"},
		},
		{
			name:     "empty directory with --allow-empty",
			files:    map[string]string{".git/HEAD": "", "app/README.md": "nothing\n"},
			args:     []string{"validate", "DIR/app", "--allow-empty"},
			wantCode: ExitOK,
		},
		{
			name:     "empty stream on stdin is empty too",
			files:    map[string]string{".git/HEAD": "", "app/empty.yaml": "---\n"},
			args:     []string{"render", "DIR/app/empty.yaml"},
			wantCode: ExitFailure,
			want:     []string{"renders no objects", "--allow-empty"},
		},
		{
			name: "Rego v0 policy: suggest --rego-version v0",
			files: map[string]string{".git/HEAD": "", "app/cm.yaml": cm,
				"policy/p.rego": "package main\n\ndeny[msg] {\n\tinput.kind == \"Secret\"\n\tmsg := \"no\"\n}\n"},
			args:     []string{"validate", "DIR/app", "--policy", "DIR/policy"},
			wantCode: ExitFailure,
			want:     []string{"`if` keyword is required", "is Rego v0 (pre-1.0) syntax: pass --rego-version v0"},
		},
		{
			name: "a Rego v1 mistake gets no v0 hint",
			files: map[string]string{".git/HEAD": "", "app/cm.yaml": cm,
				"policy/p.rego": "package main\n\ndeny contains msg if {\n\tinput.kind == \n}\n"},
			args:     []string{"validate", "DIR/app", "--policy", "DIR/policy"},
			wantCode: ExitFailure,
			notWant:  []string{"--rego-version"},
		},
		{
			name:     "--ignore with an unknown id: one warning line, with a suggestion",
			files:    map[string]string{".git/HEAD": "", "app/cm.yaml": cm},
			args:     []string{"validate", "DIR/app", "--ignore", "sync-wave-not-integr"},
			wantCode: ExitOK,
			want:     []string{"wavecheck: warning: --ignore sync-wave-not-integr names no rule, so it suppresses nothing (did you mean sync-wave-not-integer?)\n"},
			notWant:  []string{"level=", "msg="},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := testfs.Tree(t, tt.files)
			args := make([]string, len(tt.args))
			for i, a := range tt.args {
				args[i] = strings.ReplaceAll(a, "DIR", root)
			}
			_, stderr, code := runWavecheck(t, args...)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tt.wantCode, stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(stderr, w) {
					t.Errorf("stderr has %q:\n%s", w, stderr)
				}
			}
		})
	}
}

// TestIgnoreAnnotationUnknownRule: a typo in wavecheck.io/ignore is a warning finding, and the
// finding it meant to silence stays reported.
func TestIgnoreAnnotationUnknownRule(t *testing.T) {
	app := testfs.Tree(t, map[string]string{".git/HEAD": "", "cm.yaml": strings.Replace(badWave, "annotations:\n", "annotations:\n    wavecheck.io/ignore: sync-wave-not-integr\n", 1)})
	rep, code := validateJSON(t, app)
	if code != ExitFindings {
		t.Errorf("exit %d, want %d", code, ExitFindings)
	}
	got := strings.Join(ruleIDs(rep.Findings), " ")
	if got != "sync-wave-not-integer ignore-unknown-rule" && got != "ignore-unknown-rule sync-wave-not-integer" {
		t.Fatalf("findings %q, want the wave error and ignore-unknown-rule", got)
	}
	for _, f := range rep.Findings {
		if f.Rule == "ignore-unknown-rule" && (f.Severity != policy.SeverityWarning || !strings.Contains(f.Message, `did you mean "sync-wave-not-integer"?`)) {
			t.Errorf("finding %+v, want a warning suggesting the rule", f)
		}
	}
}
