// Package conftest checks that a conftest-style policy directory runs unchanged through
// `wavecheck validate --policy` and gives the same deny/warn results as the conftest CLI.
//
// testdata/policy is a conftest policy directory (package main with deny, deny_<name>,
// violation, warn and warn_<name> rules and an exception, a helper package, a second package
// for --namespace and --all-namespaces, Rego unit tests) and testdata/data.yaml its data file. For each case,
// the results of both tools on testdata/manifests are compared with each other and with
// testdata/want-<case>.txt (conftest's results, recorded with -update).
//
// The conftest binary (v0.71.1) comes from test/tools/build.sh:
//
//	export WAVECHECK_TOOLS_BIN="$(test/tools/build.sh)"
//	go test ./test/conftest
//
// Without it the wavecheck side is still checked against the recorded results; the
// comparison with conftest is skipped locally and fails when CI is set.
package conftest

import (
	"bytes"
	"context"
	"debug/buildinfo"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wavecheck/wavecheck/internal/testtools"
	"github.com/wavecheck/wavecheck/policy"
	"github.com/wavecheck/wavecheck/policy/report"
)

var update = flag.Bool("update", false, "record conftest's results in testdata/want-*.txt")

// conftestVersion is the conftest release the results are compared with.
const conftestVersion = "v0.71.1"

var cases = []struct {
	name      string
	conftest  []string // extra conftest flags
	wavecheck []string // the equivalent wavecheck flags
}{
	{name: "main"},
	{name: "namespace-hygiene", conftest: []string{"--namespace", "hygiene"}, wavecheck: []string{"--policy-namespace", "hygiene"}},
	{name: "all-namespaces", conftest: []string{"--all-namespaces"}, wavecheck: []string{"--all-namespaces"}},
}

// result is one deny/warn result, "file<TAB>failure|warning<TAB>message", or a conftest
// exception, "file<TAB>exception<TAB>package.rule".
type result = string

func TestParity(t *testing.T) {
	conftest, haveConftest := conftestBin(t)
	bin := wavecheckBin(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := runWavecheck(t, bin, tc.wavecheck)
			wantFile := filepath.Join("testdata", "want-"+tc.name+".txt")
			if haveConftest {
				ref := runConftest(t, conftest, tc.conftest)
				if len(ref) == 0 {
					t.Fatal("conftest reported nothing: the sample policies no longer exercise anything")
				}
				if *update {
					if err := os.WriteFile(wantFile, []byte(strings.Join(ref, "\n")+"\n"), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				if diff := cmp.Diff(ref, got); diff != "" {
					t.Errorf("wavecheck and conftest %s disagree (-conftest +wavecheck):\n%s", conftestVersion, diff)
				}
			}
			want := readLines(t, wantFile)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("wavecheck differs from conftest's recorded results %s (-want +got):\n%s", wantFile, diff)
			}
		})
	}
}

// TestRecordedResultsCoverEveryRuleForm guards the sample policy: the recorded results must
// hold failures from deny, deny_<name> and violation rules and warnings from warn and
// warn_<name> rules, using the helper package and the data file.
func TestRecordedResultsCoverEveryRuleForm(t *testing.T) {
	lines := strings.Join(readLines(t, filepath.Join("testdata", "want-main.txt")), "\n")
	for _, want := range []string{
		"failure\tDeployment/web: container \"web\" must set securityContext.runAsNonRoot", // deny + helper
		"failure\tDeployment/web: container \"web\" uses the mutable tag latest",           // deny_<name>
		"failure\tDeployment/web: missing required labels [\"tier\"]",                      // violation + data
		"warning\tService/web: a LoadBalancer Service exposes",                             // warn
		"warning\tDeployment/web: 1 replica(s), want at least 2",                           // warn_<name> + data
		"job.yaml\texception\tmain.latest_tag",                                             // exception
	} {
		if !strings.Contains(lines, want) {
			t.Errorf("want-main.txt lacks %q", want)
		}
	}
}

func readLines(t *testing.T, file string) []string {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("read recorded results (record them with conftest: go test ./test/conftest -update): %v", err)
	}
	return strings.Split(strings.TrimRight(string(b), "\n"), "\n")
}

// runWavecheck runs `wavecheck validate` on the manifests with the sample policies and returns
// the user-policy results (built-in rule findings are left out), sorted.
func runWavecheck(t *testing.T, bin string, extra []string) []result {
	t.Helper()
	args := append([]string{"validate", "manifests", "--policy", "policy", "--data", "data.yaml", "-o", "json"}, extra...)
	stdout, _ := runTool(t, bin, args)
	if err := report.CheckJSONContract(stdout); err != nil {
		t.Fatalf("wavecheck JSON report: %v\n%s", err, stdout)
	}
	var rep report.Report
	if err := json.Unmarshal(stdout, &rep); err != nil {
		t.Fatal(err)
	}
	builtin := builtinRules(t)
	var out []result
	for _, f := range rep.Findings {
		if builtin[f.Rule] {
			continue
		}
		kind := "warning"
		switch f.Severity {
		case policy.SeverityError:
			kind = "failure"
		case policy.SeverityInfo:
			t.Errorf("conftest-style rule %s gave an info finding: %s", f.Rule, f.Message)
		}
		out = append(out, path.Base(f.File)+"\t"+kind+"\t"+f.Message)
	}
	for _, s := range rep.Suppressed {
		if s.By != "exception" {
			continue
		}
		// The rule id is <package>.<rule>; conftest names the exception by the rule without
		// its deny_/violation_/warn_ prefix.
		ns, name, _ := strings.Cut(s.Rule, ".")
		for _, p := range []string{"violation_", "deny_", "warn_"} {
			name = strings.TrimPrefix(name, p)
		}
		out = append(out, path.Base(s.File)+"\texception\t"+ns+"."+name)
	}
	slices.Sort(out)
	return out
}

// conftestOutput is one entry of `conftest test --output json`.
type conftestOutput struct {
	Filename  string `json:"filename"`
	Namespace string `json:"namespace"`
	Warnings  []struct {
		Msg string `json:"msg"`
	} `json:"warnings"`
	Failures []struct {
		Msg string `json:"msg"`
	} `json:"failures"`
	Exceptions []struct {
		Msg string `json:"msg"`
	} `json:"exceptions"`
}

// exceptionQuery is the message conftest gives an exception: the query that matched.
var exceptionQuery = regexp.MustCompile(`^data\.(.+)\.exception\[_\]\[_\] == "(.*)"$`)

func runConftest(t *testing.T, bin string, extra []string) []result {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "manifests", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("list manifests: %v", err)
	}
	args := append([]string{"test", "--no-color", "--output", "json", "--policy", "policy", "--data", "data.yaml"}, extra...)
	for _, f := range files {
		args = append(args, filepath.Join("manifests", filepath.Base(f)))
	}
	stdout, _ := runTool(t, bin, args)
	var outs []conftestOutput
	if err := json.Unmarshal(stdout, &outs); err != nil {
		t.Fatalf("parse conftest output: %v\n%s", err, stdout)
	}
	var res []result
	for _, o := range outs {
		for _, f := range o.Failures {
			res = append(res, path.Base(o.Filename)+"\tfailure\t"+f.Msg)
		}
		for _, w := range o.Warnings {
			res = append(res, path.Base(o.Filename)+"\twarning\t"+w.Msg)
		}
		for _, x := range o.Exceptions {
			m := exceptionQuery.FindStringSubmatch(x.Msg)
			if m == nil {
				t.Fatalf("unexpected conftest exception message %q", x.Msg)
			}
			res = append(res, path.Base(o.Filename)+"\texception\t"+m[1]+"."+m[2])
		}
	}
	slices.Sort(res)
	return res
}

var (
	builtinOnce sync.Once
	builtinIDs  map[string]bool
	builtinErr  error
)

// builtinRules returns the ids of wavecheck's built-in rules.
func builtinRules(t *testing.T) map[string]bool {
	t.Helper()
	builtinOnce.Do(func() {
		eng, err := policy.New(context.Background(), policy.Options{})
		if err != nil {
			builtinErr = err
			return
		}
		builtinIDs = map[string]bool{}
		for _, r := range eng.Rules() {
			builtinIDs[r.ID] = true
		}
	})
	if builtinErr != nil {
		t.Fatalf("load built-in rules: %v", builtinErr)
	}
	return builtinIDs
}

// conftestBin finds conftest in $WAVECHECK_TOOLS_BIN. It reports false (skipping nothing
// else) locally when the tools are not built, and fails the test when CI is set.
func conftestBin(t *testing.T) (string, bool) {
	t.Helper()
	missing := func(msg string) (string, bool) {
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Log("comparison with conftest skipped: " + msg)
		return "", false
	}
	paths, why := testtools.Lookup("conftest")
	if why != "" {
		return missing(why)
	}
	bin := paths[0]
	// `go install` leaves conftest's own --version at "dev": read the module version instead.
	info, err := buildinfo.ReadFile(bin)
	if err != nil {
		return missing(fmt.Sprintf("read %s: %v", bin, err))
	}
	if info.Main.Path != "github.com/open-policy-agent/conftest" || info.Main.Version != conftestVersion {
		t.Fatalf("%s is %s %s, want github.com/open-policy-agent/conftest %s", bin, info.Main.Path, info.Main.Version, conftestVersion)
	}
	return bin, true
}

var (
	buildOnce sync.Once
	buildBin  string
	buildErr  error
	buildDir  string
)

// wavecheckBin returns $WAVECHECK_BIN (an absolute path, e.g. to `make build`'s output), or
// builds cmd/wavecheck once for the test binary.
func wavecheckBin(t *testing.T) string {
	t.Helper()
	if b := os.Getenv("WAVECHECK_BIN"); b != "" {
		if !filepath.IsAbs(b) {
			t.Fatalf("WAVECHECK_BIN=%s: give an absolute path (the tests run in testdata/)", b)
		}
		return b
	}
	buildOnce.Do(func() {
		buildBin = filepath.Join(buildDir, "wavecheck")
		cmd := exec.Command("go", "build", "-ldflags=-s -w", "-o", buildBin, "github.com/wavecheck/wavecheck/cmd/wavecheck")
		out, err := cmd.CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build cmd/wavecheck: %w\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return buildBin
}

func TestMain(m *testing.M) {
	flag.Parse()
	dir, err := os.MkdirTemp("", "wavecheck-conftest-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	buildDir = dir
	code := m.Run()
	if err := os.RemoveAll(dir); err != nil {
		// a leftover temporary folder is worth a warning, not a failed run
		fmt.Fprintf(os.Stderr, "warning: remove the build folder: %v\n", err)
	}
	os.Exit(code)
}

// TestVerifyParity runs the Rego unit tests of a policy directory with `wavecheck verify` and
// `conftest verify`: both must count the same passing and failing tests (conftest names only
// the failing ones) and fail together.
func TestVerifyParity(t *testing.T) {
	conftest, haveConftest := conftestBin(t)
	bin := wavecheckBin(t)
	tests := []struct {
		dir            string
		data           []string
		passed, failed []string
	}{
		{dir: "policy", data: []string{"data.yaml"}, passed: []string{"main.test_good_deployment_passes", "main.test_low_replicas_warn", "main.test_missing_labels_violate"}},
		{dir: "verify-failing", passed: []string{"main.test_secret_denied"}, failed: []string{"main.test_configmap_denied"}},
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			args := []string{"verify", "--no-builtin", "-o", "json", tt.dir}
			for _, d := range tt.data {
				args = append(args, "--data", d)
			}
			stdout, code := runTool(t, bin, args)
			var got struct {
				Tests []struct {
					Package, Name, Outcome string
				} `json:"tests"`
			}
			if err := json.Unmarshal(stdout, &got); err != nil {
				t.Fatalf("parse wavecheck verify output: %v\n%s", err, stdout)
			}
			var passed, failed []string
			for _, r := range got.Tests {
				if r.Outcome == "pass" {
					passed = append(passed, r.Package+"."+r.Name)
				} else {
					failed = append(failed, r.Package+"."+r.Name)
				}
			}
			slices.Sort(passed)
			slices.Sort(failed)
			if diff := cmp.Diff(tt.passed, passed); diff != "" {
				t.Errorf("wavecheck verify passed tests (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.failed, failed); diff != "" {
				t.Errorf("wavecheck verify failed tests (-want +got):\n%s", diff)
			}
			if wantCode := min(len(tt.failed), 1); code != wantCode {
				t.Errorf("wavecheck verify exit %d, want %d", code, wantCode)
			}
			if !haveConftest {
				return
			}
			cargs := []string{"verify", "--no-color", "--output", "json", "--policy", tt.dir}
			for _, d := range tt.data {
				cargs = append(cargs, "--data", d)
			}
			cout, ccode := runTool(t, conftest, cargs)
			var entries []struct {
				Successes int `json:"successes"`
				Failures  []struct {
					Msg string `json:"msg"`
				} `json:"failures"`
			}
			if err := json.Unmarshal(cout, &entries); err != nil {
				t.Fatalf("parse conftest verify output: %v\n%s", err, cout)
			}
			var cPassed int
			var cFailed []string
			for _, e := range entries {
				cPassed += e.Successes
				for _, f := range e.Failures {
					cFailed = append(cFailed, strings.TrimPrefix(f.Msg, "data."))
				}
			}
			slices.Sort(cFailed)
			if cPassed != len(passed) || !slices.Equal(cFailed, failed) {
				t.Errorf("conftest verify: %d passed, failed %v; wavecheck verify: %d passed, failed %v", cPassed, cFailed, len(passed), failed)
			}
			if (ccode == 0) != (code == 0) {
				t.Errorf("exit status differs: conftest %d, wavecheck %d", ccode, code)
			}
		})
	}
}

// runTool runs a binary in testdata and returns its stdout and exit code (0 or 1; anything
// else fails the test).
func runTool(t *testing.T, bin string, args []string) ([]byte, int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = "testdata"
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee) && ee.ExitCode() == 1:
		code = 1
	default:
		t.Fatalf("%s %s: %v\nstderr:\n%s", filepath.Base(bin), strings.Join(args, " "), err, stderr.String())
	}
	return stdout.Bytes(), code
}
