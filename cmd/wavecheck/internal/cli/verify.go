package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/wavecheck/wavecheck/policy"
)

type verifyFlags struct {
	data      []string
	noBuiltin bool
	run       string
	output    string
	verbose   bool
	timeout   time.Duration
	regoVer   string
}

func newVerifyCmd(g *globals) *cobra.Command {
	var vf verifyFlags
	cmd := &cobra.Command{
		Use:   "verify [DIR...]",
		Short: "Run the Rego unit tests of the built-in and user policies",
		Long: `verify runs the Rego unit tests (rules named test_*) of the built-in rule pack and of the
policy directories given, like opa test and conftest verify, and prints one PASS/FAIL line per
test and a summary. Exit status: 0 when every test passes, 1 when a test fails or errors, 2
when the policies cannot be loaded.`,
		Example: `  wavecheck verify
  wavecheck verify policy/ --data policy/data.yaml --no-builtin`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runVerify(cmd, g, args, &vf)
		},
	}
	fs := cmd.Flags()
	fs.StringArrayVar(&vf.data, "data", nil, "YAML or JSON data file for the policies (repeatable)")
	fs.BoolVar(&vf.noBuiltin, "no-builtin", false, "skip the built-in rule pack's tests")
	fs.StringVar(&vf.run, "run", "", "only run tests whose package.name matches this regular expression")
	fs.StringVarP(&vf.output, "output", "o", "text", "output format: text or json")
	fs.BoolVarP(&vf.verbose, "verbose", "v", false, "show the print() output of passing tests too")
	fs.DurationVar(&vf.timeout, "policy-timeout", policy.DefaultTimeout, "time limit for each test")
	fs.StringVar(&vf.regoVer, "rego-version", "v1", "Rego syntax of the user policies: v1 or v0")
	return cmd
}

func runVerify(cmd *cobra.Command, g *globals, dirs []string, vf *verifyFlags) error {
	var filter *regexp.Regexp
	if vf.run != "" {
		re, err := regexp.Compile(vf.run)
		if err != nil {
			return usageError("parse --run: %v", err)
		}
		filter = re
	}
	output := strings.ToLower(vf.output)
	if output != "text" && output != "json" {
		return usageError("parse --output: unknown format %q (want text or json)", vf.output)
	}
	if vf.timeout <= 0 {
		return usageError("parse --policy-timeout: %s is not a positive duration", vf.timeout)
	}
	if vf.noBuiltin && len(dirs) == 0 {
		return usageError("--no-builtin needs at least one policy DIR")
	}
	results, err := policy.Verify(cmd.Context(), policy.Options{
		PolicyDirs:  dirs,
		DataFiles:   vf.data,
		NoBuiltin:   vf.noBuiltin,
		Timeout:     vf.timeout,
		RegoVersion: vf.regoVer,
	})
	if err != nil {
		return &ExitError{Code: ExitFailure, Err: fmt.Errorf("verify policies: %w", err)}
	}
	if filter != nil {
		kept := results[:0]
		for _, r := range results {
			if filter.MatchString(r.Package + "." + r.Name) {
				kept = append(kept, r)
			}
		}
		results = kept
	}
	if len(results) == 0 {
		return &ExitError{Code: ExitFailure, Err: fmt.Errorf("verify policies: no tests found")}
	}
	if output == "json" {
		err = writeVerifyJSON(g.stdout, results)
	} else {
		err = writeVerifyText(g.stdout, results, vf.verbose)
	}
	if err != nil {
		return &ExitError{Code: ExitFailure, Err: fmt.Errorf("write results: %w", err)}
	}
	for _, r := range results {
		if !r.Passed() {
			return &ExitError{Code: ExitFindings}
		}
	}
	return nil
}

// verifyCounts counts outcomes: pass, fail, error, skip.
func verifyCounts(results []policy.TestResult) map[string]int {
	c := map[string]int{"pass": 0, "fail": 0, "error": 0, "skip": 0}
	for _, r := range results {
		c[r.Outcome]++
	}
	return c
}

func writeVerifyText(w io.Writer, results []policy.TestResult, verbose bool) error {
	var b strings.Builder
	for _, r := range results {
		loc := r.File
		if r.Line > 0 {
			loc = fmt.Sprintf("%s:%d", r.File, r.Line)
		}
		fmt.Fprintf(&b, "%-5s %s.%s (%s)\n", strings.ToUpper(r.Outcome), r.Package, r.Name, loc)
		if r.Error != "" {
			fmt.Fprintf(&b, "      error: %s\n", r.Error)
		}
		if r.Output != "" && (verbose || !r.Passed()) {
			for _, l := range strings.Split(strings.TrimRight(r.Output, "\n"), "\n") {
				fmt.Fprintf(&b, "      | %s\n", l)
			}
		}
	}
	c := verifyCounts(results)
	fmt.Fprintf(&b, "%d tests: %d passed, %d failed, %d errors, %d skipped\n",
		len(results), c["pass"], c["fail"], c["error"], c["skip"])
	_, err := io.WriteString(w, b.String())
	return err
}

func writeVerifyJSON(w io.Writer, results []policy.TestResult) error {
	c := verifyCounts(results)
	doc := struct {
		Tests   []policy.TestResult `json:"tests"`
		Summary map[string]int      `json:"summary"`
	}{results, map[string]int{"tests": len(results), "passed": c["pass"], "failed": c["fail"], "errors": c["error"], "skipped": c["skip"]}}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}
