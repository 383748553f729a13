package policy

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/open-policy-agent/opa/v1/tester"

	"github.com/wavecheck/wavecheck/internal/argocd"
)

// TestResult is the outcome of one Rego unit test (a test_ rule).
type TestResult struct {
	// Package is the test's package without "data.", Name the test rule.
	Package string `json:"package"`
	Name    string `json:"name"`
	// File and Line locate the test.
	File string `json:"file"`
	Line int    `json:"line"`
	// Outcome is "pass", "fail", "error" or "skip" (todo_ tests).
	Outcome string `json:"outcome"`
	// Error is set when the test could not be evaluated.
	Error    string        `json:"error,omitempty"`
	Output   string        `json:"output,omitempty"`
	Duration time.Duration `json:"duration"`
	// Builtin marks tests of the built-in rule pack.
	Builtin bool `json:"builtin"`
}

// Passed reports whether the test passed (or was skipped).
func (r TestResult) Passed() bool { return r.Outcome == "pass" || r.Outcome == "skip" }

// Verify runs the Rego unit tests (rules named test_*) of the built-in rule pack (unless
// opts.NoBuiltin) and of the user policies in opts.PolicyDirs and opts.Policies, like
// `opa test` and `conftest verify`, with opts.DataFiles as data and the same sandbox as
// evaluation. Results are sorted by file and line.
func Verify(ctx context.Context, opts Options) ([]TestResult, error) {
	// The built-in modules are always loaded (user policies may import data.wavecheck.lib);
	// their tests only without NoBuiltin.
	_, _, compiler, data, err := opts.load(!opts.NoBuiltin, true)
	if err != nil {
		return nil, err
	}
	// The rules' unit tests see the same Argo CD tables as evaluation (data.wavecheck.argocd),
	// and no objects unless a test supplies them with "with".
	data["wavecheck"] = map[string]any{"objects": []any{}, "index": map[string]any{}, "lookup": map[string]any{}, "argocd": argocd.TablesDocument()}
	store := inmem.NewFromObject(data)
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	txn, err := store.NewTransaction(ctx)
	if err != nil {
		return nil, fmt.Errorf("run policy tests: %w", err)
	}
	defer store.Abort(ctx, txn)
	ch, err := tester.NewRunner().
		SetCompiler(compiler).
		SetStore(store).
		CapturePrintOutput(true).
		SetTimeout(timeout).
		RunTests(ctx, txn)
	if err != nil {
		return nil, fmt.Errorf("run policy tests: %w", formatRegoError(err))
	}
	var out []TestResult
	for r := range ch {
		tr := TestResult{
			Package:  strings.TrimPrefix(r.Package, "data."),
			Name:     r.Name,
			Duration: r.Duration,
			Output:   string(r.Output),
			Outcome:  "pass",
		}
		if r.Location != nil {
			tr.File, tr.Line = r.Location.File, r.Location.Row
			tr.Builtin = strings.HasPrefix(tr.File, builtinPrefix)
		}
		switch {
		case r.Error != nil:
			tr.Outcome, tr.Error = "error", r.Error.Error()
		case r.Skip:
			tr.Outcome = "skip"
		case r.Fail:
			tr.Outcome = "fail"
		}
		out = append(out, tr)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].File != out[j].File {
			return out[i].File < out[j].File
		}
		return out[i].Line < out[j].Line
	})
	return out, nil
}
