package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/wavecheck/wavecheck/policy"
	"github.com/wavecheck/wavecheck/policy/report"
	"github.com/wavecheck/wavecheck/test/golden"
)

// runWavecheck executes wavecheck in-process.
func runWavecheck(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = RunIO(context.Background(), args, os.Stdin, &out, &errb)
	return out.String(), errb.String(), code
}

// validateJSON runs validate with -o json and returns the parsed, contract-checked report.
func validateJSON(t *testing.T, args ...string) (*report.Report, int) {
	t.Helper()
	stdout, stderr, code := runWavecheck(t, append([]string{"validate", "-o", "json"}, args...)...)
	if code != ExitOK && code != ExitFindings {
		t.Fatalf("wavecheck validate %s: exit %d\nstderr:\n%s", strings.Join(args, " "), code, stderr)
	}
	if err := report.CheckJSONContract([]byte(stdout)); err != nil {
		t.Fatalf("JSON report breaks the contract: %v\n%s", err, stdout)
	}
	var rep report.Report
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatal(err)
	}
	return &rep, code
}

// corpusDir holds Argo CD's example apps (copied unchanged from argoproj/argocd-example-apps
// with the rule pack).
const corpusDir = "../../../../policy/testdata/corpus/argocd-example-apps"

// TestValidateCorpus lints Argo CD's example apps: none may give an error finding.
func TestValidateCorpus(t *testing.T) {
	entries, err := os.ReadDir(corpusDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		t.Run(e.Name(), func(t *testing.T) {
			rep, code := validateJSON(t, filepath.Join(corpusDir, e.Name()), "--repo-root", corpusDir)
			if code != ExitOK || rep.Summary.Errors > 0 {
				t.Errorf("exit %d, findings %+v:\n%v", code, rep.Summary, rep.Findings)
			}
			if rep.Summary.Objects == 0 {
				t.Error("no objects rendered")
			}
		})
	}
}

func TestValidateExitCodes(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		// stderr must contain this (for failures).
		stderr string
	}{
		{"clean", []string{"testdata/validate/clean"}, ExitOK, ""},
		{"errors", []string{"testdata/validate/hooks"}, ExitFindings, ""},
		{"errors below min severity are still errors", []string{"testdata/validate/hooks", "--min-severity", "warning"}, ExitFindings, ""},
		{"warning only", []string{"testdata/validate/warn-only"}, ExitOK, ""},
		{"warning with fail-on-warn", []string{"testdata/validate/warn-only", "--fail-on-warn"}, ExitFindings, ""},
		{"warning hidden by min-severity", []string{"testdata/validate/warn-only", "--fail-on-warn", "--min-severity", "error"}, ExitOK, ""},
		{"ignored rule", []string{"testdata/validate/warn-only", "--fail-on-warn", "--ignore", "hook-pod-restart-always"}, ExitOK, ""},
		{"severity raised to error", []string{"testdata/validate/warn-only", "--severity", "hook-pod-restart-always=error"}, ExitFindings, ""},
		{"bad severity override", []string{"testdata/validate/clean", "--severity", "application-wave-health"}, ExitFailure, "parse --severity: severity override \"application-wave-health\": write rule=severity"},
		{"bad severity level", []string{"testdata/validate/clean", "--severity", "application-wave-health=fatal"}, ExitFailure, "parse --severity"},
		{"severity of an unknown rule", []string{"testdata/validate/clean", "--severity", "no-such-rule=error"}, ExitFailure, "no-such-rule"},
		{"non-deterministic chart warns", []string{"../../../../policy/testdata/e2e/render-not-deterministic/bad", "--fail-on-warn"}, ExitFindings, ""},
		{"determinism check off", []string{"../../../../policy/testdata/e2e/render-not-deterministic/bad", "--fail-on-warn", "--check-determinism=false"}, ExitOK, ""},
		{"render failure", []string{"testdata/validate/bad-yaml"}, ExitFailure, "broken.yaml"},
		{"missing dir", []string{"testdata/validate/nope"}, ExitFailure, "nope"},
		{"no dir", nil, ExitFailure, "requires at least 1 arg"},
		{"bad output", []string{"testdata/validate/clean", "-o", "yaml"}, ExitFailure, `unknown format "yaml"`},
		{"bad color", []string{"testdata/validate/clean", "--color", "sometimes"}, ExitFailure, "--color"},
		{"bad min severity", []string{"testdata/validate/clean", "--min-severity", "fatal"}, ExitFailure, "--min-severity"},
		{"bad source type", []string{"testdata/validate/clean", "--source-type", "jsonnet"}, ExitFailure, "jsonnet"},
		{"exclusive namespaces", []string{"testdata/validate/clean", "--all-namespaces", "--policy-namespace", "x"}, ExitFailure, "exclusive"},
		{"bad argocd version", []string{"testdata/validate/clean", "--argocd-version", "three"}, ExitFailure, "three"},
		{"bad tracking method", []string{"testdata/validate/clean", "--tracking-method", "labels"}, ExitFailure, `parse --tracking-method: parse tracking method: "labels" is not annotation, label or annotation+label`},
		{"missing policy dir", []string{"testdata/validate/clean", "--policy", "testdata/nope"}, ExitFailure, "testdata/nope"},
		{"policy syntax error", []string{"testdata/validate/clean", "--policy", "testdata/verify/broken"}, ExitFailure, "testdata/verify/broken/syntax.rego:4"},
		{"missing data file", []string{"testdata/validate/clean", "--data", "testdata/nope.yaml"}, ExitFailure, "testdata/nope.yaml"},
		{"user policy error finding", []string{"testdata/validate/clean", "--policy", "testdata/verify/mixed", "--fail-on-warn"}, ExitFindings, ""},
		{"user policy in another package", []string{"testdata/validate/clean", "--policy", "testdata/verify/mixed", "--policy-namespace", "other", "--fail-on-warn"}, ExitOK, ""},
		{"unknown flag", []string{"testdata/validate/clean", "--frobnicate"}, ExitFailure, "frobnicate"},
		{"v0 policy needs --rego-version v0", []string{"testdata/validate/clean", "--policy", "testdata/verify/v0"}, ExitFailure, "testdata/verify/v0/legacy.rego"},
		{"v0 policy with --rego-version v0", []string{"testdata/validate/clean", "--policy", "testdata/verify/v0", "--rego-version", "v0"}, ExitFindings, ""},
		{"bad rego version", []string{"testdata/validate/clean", "--policy", "testdata/verify/v0", "--rego-version", "v2"}, ExitFailure, "v2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code := runWavecheck(t, append([]string{"validate"}, tt.args...)...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.code, stdout, stderr)
			}
			if tt.code == ExitFailure {
				if stdout != "" {
					t.Errorf("failure wrote to stdout:\n%s", stdout)
				}
				if !strings.Contains(stderr, tt.stderr) {
					t.Errorf("stderr does not mention %q:\n%s", tt.stderr, stderr)
				}
			}
		})
	}
}

// TestValidateSeverityOverride: --severity changes the severity of every finding of the rule and
// of the rule's metadata in the report, and nothing else.
func TestValidateSeverityOverride(t *testing.T) {
	base, _ := validateJSON(t, "testdata/validate/hooks")
	rep, _ := validateJSON(t, "testdata/validate/hooks", "--severity", "hook-unknown-type=info")
	n := 0
	for i, f := range rep.Findings {
		want := base.Findings[i].Severity
		if f.Rule == "hook-unknown-type" {
			want = policy.SeverityInfo
			n++
		}
		if f.Severity != want {
			t.Errorf("%s on %s: severity %s, want %s", f.Rule, f.Object, f.Severity, want)
		}
	}
	if n == 0 || len(rep.Findings) != len(base.Findings) {
		t.Fatalf("hook-unknown-type findings: %d; findings %d, want %d", n, len(rep.Findings), len(base.Findings))
	}
}

// TestValidateTrackingMethod: what annotation-not-string says follows --tracking-method and
// its default (the target version's default tracking method).
func TestValidateTrackingMethod(t *testing.T) {
	app := t.TempDir()
	cm := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n  annotations:\n    argocd.argoproj.io/sync-wave: 5\n"
	if err := os.WriteFile(filepath.Join(app, "cm.yaml"), []byte(cm), 0o644); err != nil {
		t.Fatal(err)
	}
	const refused, dropped = "Argo CD refuses the whole app", "Argo CD drops every annotation of this object"
	tests := []struct {
		args []string
		want string
	}{
		{nil, "with annotation tracking " + refused},
		{[]string{"--tracking-method", "annotation+label"}, "with annotation+label tracking " + refused},
		{[]string{"--tracking-method", "label"}, dropped},
		{[]string{"--argocd-version", "2.14"}, dropped},
		{[]string{"--argocd-version", "2.14", "--tracking-method", "annotation"}, "with annotation tracking " + refused},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			stdout, stderr, code := runWavecheck(t, append([]string{"validate", "-o", "json", app}, tt.args...)...)
			if code != ExitFindings {
				t.Fatalf("exit %d, want %d\nstderr:\n%s", code, ExitFindings, stderr)
			}
			var rep report.Report
			if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
				t.Fatal(err)
			}
			if len(rep.Findings) != 1 || rep.Findings[0].Rule != "annotation-not-string" || !strings.Contains(rep.Findings[0].Message, tt.want) {
				t.Errorf("findings %+v, want annotation-not-string saying %q", rep.Findings, tt.want)
			}
		})
	}
}

// TestValidateFormats renders one app in every format (golden files), checks the JSON
// contract and the SARIF schema, and that every SARIF location is a file of the repository.
func TestValidateFormats(t *testing.T) {
	apps := []string{"hooks", "helm-app"}
	for _, app := range apps {
		for _, format := range report.Formats() {
			t.Run(app+"/"+format, func(t *testing.T) {
				stdout, stderr, code := runWavecheck(t, "validate", filepath.Join("testdata/validate", app),
					"--repo-root", "testdata/validate", "-o", format, "--color", "never")
				if code != ExitFindings && code != ExitOK {
					t.Fatalf("exit %d\nstderr:\n%s", code, stderr)
				}
				ext := map[string]string{"text": "txt", "json": "json", "sarif": "sarif", "junit": "xml", "github": "github.txt"}[format]
				checkGolden(t, filepath.Join("testdata/golden", app+"."+ext), stdout)
				switch format {
				case "json":
					if err := report.CheckJSONContract([]byte(stdout)); err != nil {
						t.Error(err)
					}
				case "sarif":
					checkSARIF(t, stdout, "testdata/validate")
				case "junit":
					var v any
					if err := xml.Unmarshal([]byte(stdout), &v); err != nil {
						t.Errorf("junit is not XML: %v", err)
					}
				}
			})
		}
	}
}

// TestValidateHelmPaths checks that findings in a Helm chart point at the template file in
// the repository (the chart's directory is not named like the chart).
func TestValidateHelmPaths(t *testing.T) {
	rep, _ := validateJSON(t, "testdata/validate/helm-app", "--repo-root", "testdata/validate")
	if len(rep.Findings) == 0 {
		t.Fatal("no findings on helm-app")
	}
	for _, f := range rep.Findings {
		if f.File == "" {
			continue
		}
		if _, err := os.Stat(filepath.Join("testdata/validate", filepath.FromSlash(f.File))); err != nil {
			t.Errorf("finding %s points at %q, not a repository file: %v", f.Rule, f.File, err)
		}
	}
	if diff := cmp.Diff(report.Source{Path: "helm-app", Type: "Helm"}, rep.Source); diff != "" {
		t.Errorf("source (-want +got):\n%s", diff)
	}
}

func TestValidateColor(t *testing.T) {
	always, _, _ := runWavecheck(t, "validate", "testdata/validate/hooks", "--color", "always")
	never, _, _ := runWavecheck(t, "validate", "testdata/validate/hooks", "--color", "never")
	auto, _, _ := runWavecheck(t, "validate", "testdata/validate/hooks")
	if !strings.Contains(always, "\x1b[") {
		t.Error("--color always: no ANSI escape")
	}
	if strings.Contains(never, "\x1b[") || strings.Contains(auto, "\x1b[") {
		t.Error("--color never/auto (not a terminal): ANSI escapes in the report")
	}
}

func checkSARIF(t *testing.T, out, repoRoot string) {
	t.Helper()
	data, err := os.ReadFile("../../../../policy/report/testdata/sarif-2.1.0-github-subset.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	schemaDoc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("sarif.json", schemaDoc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("sarif.json")
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if err := sch.Validate(inst); err != nil {
		t.Fatalf("SARIF does not validate: %v", err)
	}
	var log struct {
		Runs []struct {
			Results []struct {
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI string } `json:"artifactLocation"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(out), &log); err != nil {
		t.Fatal(err)
	}
	for _, r := range log.Runs[0].Results {
		uri := r.Locations[0].PhysicalLocation.ArtifactLocation.URI
		if _, err := os.Stat(filepath.Join(repoRoot, filepath.FromSlash(uri))); err != nil {
			t.Errorf("SARIF location %q is not a repository path: %v", uri, err)
		}
	}
}

func checkGolden(t *testing.T, file, got string) {
	t.Helper()
	golden.Check(t, file, []byte(got))
}

// TestValidateSuppressed checks that findings silenced by the wavecheck.io/ignore annotation
// or --ignore are reported apart, with what silenced them and why, and do not fail the run.
func TestValidateSuppressed(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want []report.Suppressed
	}{
		{
			name: "annotation",
			want: []report.Suppressed{{
				Finding: policy.Finding{Rule: "sync-wave-not-integer", Object: policy.ObjectRef{APIVersion: "v1", Kind: "ConfigMap", Name: "legacy"}, File: "hooks/config.yaml"},
				By:      "annotation", Reason: "removed with the v1 API, ticket OPS-42",
			}},
		},
		{
			name: "annotation and flag",
			args: []string{"--ignore", "hook-unknown-type"},
			want: []report.Suppressed{
				{
					Finding: policy.Finding{Rule: "sync-wave-not-integer", Object: policy.ObjectRef{APIVersion: "v1", Kind: "ConfigMap", Name: "legacy"}, File: "hooks/config.yaml"},
					By:      "annotation", Reason: "removed with the v1 API, ticket OPS-42",
				},
				{
					Finding: policy.Finding{Rule: "hook-unknown-type", Object: policy.ObjectRef{APIVersion: "batch/v1", Kind: "Job", Name: "db-migrate"}, File: "hooks/hooks.yaml"},
					By:      "ignore",
				},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, _ := validateJSON(t, append([]string{"testdata/validate/hooks", "--repo-root", "testdata/validate"}, tt.args...)...)
			// Compare what identifies a suppression; messages, lines and reasons of flags are
			// the engine's wording.
			var got []report.Suppressed
			for _, s := range rep.Suppressed {
				k := report.Suppressed{Finding: policy.Finding{Rule: s.Rule, Object: s.Object, File: s.File}, By: s.By}
				if s.By == "annotation" {
					k.Reason = s.Reason
				}
				got = append(got, k)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("suppressed (-want +got):\n%s", diff)
			}
			for _, f := range rep.Findings {
				for _, s := range tt.want {
					if f.Rule == s.Rule && f.Object == s.Object {
						t.Errorf("suppressed finding %s on %s still reported", f.Rule, f.Object)
					}
				}
			}
		})
	}
}
