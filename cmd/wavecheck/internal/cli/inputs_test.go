package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wavecheck/wavecheck/policy/report"
)

// runWithStdin executes wavecheck in-process with stdin as standard input.
func runWithStdin(t *testing.T, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = RunIO(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), code
}

// findingKeys are a report's findings as "rule object" strings, sorted: what was found,
// whatever the file is called.
func findingKeys(r *report.Report) []string {
	var out []string
	for _, f := range r.Findings {
		out = append(out, f.Rule+" "+f.Object.String())
	}
	slices.Sort(out)
	return out
}

func decodeReport(t *testing.T, stdout string) *report.Report {
	t.Helper()
	if err := report.CheckJSONContract([]byte(stdout)); err != nil {
		t.Fatalf("JSON report breaks the contract: %v\n%s", err, stdout)
	}
	var rep report.Report
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatal(err)
	}
	return &rep
}

// TestValidateStdinAndFiles: `wavecheck render DIR | wavecheck validate -` and validate of a
// single manifest file find what validate DIR finds; their sources name "-" and the file.
func TestValidateStdinAndFiles(t *testing.T) {
	const app = "testdata/validate/hooks"
	want, code := validateJSON(t, app)
	if code != ExitFindings {
		t.Fatalf("validate %s: exit %d, want %d", app, code, ExitFindings)
	}
	stream, stderr, code := runWavecheck(t, "render", app)
	if code != ExitOK {
		t.Fatalf("render: exit %d\n%s", code, stderr)
	}
	file := filepath.Join(t.TempDir(), "rendered.txt") // any extension: a named file is a stream
	if err := os.WriteFile(file, []byte(stream), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, stdin string
		args        []string
		path, typ   string
	}{
		{"stdin", stream, []string{"-"}, "-", "Stream"},
		{"file", "", []string{file}, "", "Stream"},
		{"single manifest file of an app", "", []string{filepath.Join(app, "hooks.yaml")}, "", "Stream"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code := runWithStdin(t, tt.stdin, append([]string{"validate", "-o", "json"}, tt.args...)...)
			if code != ExitFindings {
				t.Fatalf("exit %d, want %d\n%s", code, ExitFindings, stderr)
			}
			got := decodeReport(t, stdout)
			if got.Source.Type != tt.typ {
				t.Errorf("source type %q, want %q", got.Source.Type, tt.typ)
			}
			if tt.path != "" && got.Source.Path != tt.path {
				t.Errorf("source path %q, want %q", got.Source.Path, tt.path)
			}
			if tt.name == "single manifest file of an app" {
				// hooks.yaml holds the app's hooks; config.yaml is not read.
				for _, f := range got.Findings {
					if !strings.HasSuffix(f.File, "hooks.yaml") {
						t.Errorf("finding from %s, want only hooks.yaml", f.File)
					}
				}
				return
			}
			if diff := cmp.Diff(findingKeys(want), findingKeys(got)); diff != "" {
				t.Errorf("findings differ from validate %s (-dir +input):\n%s", app, diff)
			}
			if tt.name == "stdin" {
				for _, f := range got.Findings {
					if f.File != "-" || f.Line == 0 {
						t.Errorf("stdin finding at %q:%d, want file - with a line", f.File, f.Line)
					}
				}
			}
		})
	}
}

// TestValidateSeveralInputs: several inputs give one report across them, with the exit code of
// the worst; SARIF has one run per app.
func TestValidateSeveralInputs(t *testing.T) {
	clean, hooks := "testdata/validate/clean", "testdata/validate/hooks"
	stdout, stderr, code := runWavecheck(t, "validate", "-o", "json", clean, hooks, "testdata/validate/helm-app")
	if code != ExitFindings {
		t.Fatalf("exit %d, want %d\n%s", code, ExitFindings, stderr)
	}
	if err := report.CheckMultiJSONContract([]byte(stdout)); err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	var multi report.Multi
	if err := json.Unmarshal([]byte(stdout), &multi); err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, a := range multi.Apps {
		paths = append(paths, a.Source.Path+" "+a.Source.Type)
	}
	if diff := cmp.Diff([]string{
		"cmd/wavecheck/internal/cli/testdata/validate/clean Directory",
		"cmd/wavecheck/internal/cli/testdata/validate/hooks Directory",
		"cmd/wavecheck/internal/cli/testdata/validate/helm-app Helm",
	}, paths); diff != "" {
		t.Errorf("apps (-want +got):\n%s", diff)
	}
	one, _ := validateJSON(t, hooks)
	if diff := cmp.Diff(findingKeys(one), findingKeys(multi.Apps[1])); diff != "" {
		t.Errorf("the hooks app's findings differ when validated with others:\n%s", diff)
	}

	// Clean inputs together stay clean.
	if _, stderr, code := runWavecheck(t, "validate", clean, "testdata/validate/warn-only"); code != ExitOK {
		t.Errorf("two clean apps: exit %d\n%s", code, stderr)
	}

	stdout, _, code = runWavecheck(t, "validate", "-o", "sarif", clean, hooks)
	if code != ExitFindings {
		t.Fatalf("sarif: exit %d", code)
	}
	var log struct {
		Runs []struct{ AutomationDetails struct{ ID string } }
	}
	if err := json.Unmarshal([]byte(stdout), &log); err != nil {
		t.Fatal(err)
	}
	if len(log.Runs) != 2 || log.Runs[0].AutomationDetails.ID == log.Runs[1].AutomationDetails.ID {
		t.Errorf("SARIF runs %+v: want 2 runs with distinct automationDetails ids", log.Runs)
	}
}

// TestInputErrors: bad inputs are one-line errors naming the input, exit 2, nothing on stdout.
func TestInputErrors(t *testing.T) {
	cache := t.TempDir()
	tests := []struct {
		name  string
		stdin string
		args  []string
		msg   string
	}{
		{"missing path", "", []string{"validate", "testdata/validate/nope"}, "read input testdata/validate/nope: no such file or directory (give an app directory, a manifest file or - for stdin)"},
		{"missing second path, nothing written", "", []string{"validate", "testdata/validate/hooks", "nope.yaml"}, "read input nope.yaml: no such file"},
		{"bad second input, nothing written", "", []string{"validate", "testdata/validate/hooks", "testdata/validate/bad-yaml/broken.yaml"}, "broken.yaml"},
		{"stdin twice", "", []string{"validate", "-", "-"}, "standard input (-) given 2 times"},
		{"stdin not YAML", "key: [unclosed\n", []string{"validate", "-"}, "-:1: document 1: invalid YAML"},
		{"stdin not an object", "- a\n- b\n", []string{"render", "-"}, "-:1: document 1: not a Kubernetes object"},
		{"render missing path", "", []string{"render", "testdata/validate/clean", "nope"}, "read input nope: no such file"},
		{"replay of two apps", "", []string{"replay", "testdata/validate/clean", "testdata/validate/hooks"}, "replay takes one app, got 2 inputs"},
		{"plan without input", "", []string{"plan"}, "plan needs one input"},
		{"helm dependency offline", "", []string{"validate", "--offline", "--helm-cache-dir", cache, "../../../../plugin/render/testdata/helm/missing-dep"},
			"chart missing-dep: dependency redis 19.0.0 from https://charts.bitnami.com/bitnami is not vendored under charts/ nor cached in " + cache + ", and --offline refuses the network"},
		{"kustomize helmCharts without --enable-helm", "", []string{"render", "testdata/validate/helmcharts"}, "helmCharts need --enable-helm (Argo CD: kustomize.buildOptions --enable-helm; plugin: WAVECHECK_KUSTOMIZE_ENABLE_HELM=true)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if edition != "" && (tt.args[0] == "plan" || tt.args[0] == "replay") {
				t.Skip("the sidecar build has no plan or replay")
			}
			stdout, stderr, code := runWithStdin(t, tt.stdin, tt.args...)
			if code != ExitFailure {
				t.Fatalf("exit %d, want %d\nstderr:\n%s", code, ExitFailure, stderr)
			}
			if stdout != "" {
				t.Errorf("failure wrote to stdout:\n%s", stdout)
			}
			if !strings.Contains(stderr, tt.msg) {
				t.Errorf("stderr does not say %q:\n%s", tt.msg, stderr)
			}
			if n := strings.Count(strings.TrimSpace(stderr), "\n"); n != 0 {
				t.Errorf("error is %d lines, want one:\n%s", n+1, stderr)
			}
		})
	}
}

// TestRenderPlanReplayStdin: render concatenates its inputs; plan and replay take a stream on
// stdin as they take the app.
func TestRenderPlanReplayStdin(t *testing.T) {
	const app = "testdata/validate/clean"
	stream, _, code := runWavecheck(t, "render", app)
	if code != ExitOK {
		t.Fatal("render failed")
	}
	both, stderr, code := runWithStdin(t, stream, "render", app, "-")
	if code != ExitOK {
		t.Fatalf("render DIR -: exit %d\n%s", code, stderr)
	}
	if want := stream + "---\n" + stream; both != want {
		t.Errorf("render DIR - =\n%s\nwant the stream twice:\n%s", both, want)
	}
	for _, cmd := range [][]string{{"plan", "-o", "json"}, {"replay", "-o", "json"}} {
		t.Run(cmd[0], func(t *testing.T) {
			if edition != "" {
				t.Skip("the sidecar build has no plan or replay")
			}
			fromDir, stderr, code := runWavecheck(t, append(cmd, app)...)
			if code != ExitOK {
				t.Fatalf("%s DIR: exit %d\n%s", cmd[0], code, stderr)
			}
			fromStdin, stderr, code := runWithStdin(t, stream, append(cmd, "-")...)
			if code != ExitOK {
				t.Fatalf("%s -: exit %d\n%s", cmd[0], code, stderr)
			}
			if diff := cmp.Diff(fromDir, fromStdin); diff != "" {
				t.Errorf("%s - differs from %s DIR:\n%s", cmd[0], cmd[0], diff)
			}
		})
	}
}
