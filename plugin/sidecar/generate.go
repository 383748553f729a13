package sidecar

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/wavecheck/wavecheck/internal/manifest"
	"github.com/wavecheck/wavecheck/internal/pipeline"
	"github.com/wavecheck/wavecheck/plugin/render"
	"github.com/wavecheck/wavecheck/policy"
)

// Linter lints a rendered app: the pipeline's Lint in production (see Generate), a fake in
// tests.
type Linter func(ctx context.Context, res *render.Result) (*pipeline.Lint, error)

// Outcome is a successful generation.
type Outcome struct {
	Type    render.SourceType
	Objects []manifest.Object
	// Findings are in policy.CompareFindings order; in enforce mode none is an error.
	Findings []policy.Finding
	// LintErr is a policy evaluation failure tolerated in warn mode.
	LintErr error
	// Manifests is the YAML stream to print on stdout.
	Manifests []byte
	// Notice is a line for stderr about the run (wavecheck.io/ignore annotations disregarded).
	Notice string
}

// PolicyError is returned when enforce mode blocks generation. Its message is the short report
// the Argo CD UI shows: the count, then one line per error, capped.
type PolicyError struct {
	Errors []policy.Finding
	Max    int
	// Notice, when set, ends the message (see Outcome.Notice).
	Notice string
}

func (e *PolicyError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "wavecheck: %s blocking this app (mode enforce)", plural(len(e.Errors), "policy error"))
	writeCapped(&b, e.Errors, e.Max, false)
	if e.Notice != "" {
		b.WriteString("\n" + e.Notice)
	}
	return b.String()
}

// ignoreNotice says that the objects' wavecheck.io/ignore annotations were disregarded, when
// app overrides are forbidden and at least one object has one.
func ignoreNotice(cfg Config, objs []manifest.Object) string {
	if !cfg.Policy.NoAppOverrides || cfg.Mode == Off {
		return ""
	}
	n := 0
	for _, o := range objs {
		if _, ok := o.Annotations()[policy.AnnotationIgnore]; ok {
			n++
		}
	}
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("wavecheck: %s on %s disregarded: %s=false forbids applications to exempt themselves",
		policy.AnnotationIgnore, plural(n, "object"), EnvAppOverrides)
}

// ErrEmpty is returned when an app renders to nothing and empty output was not allowed.
var ErrEmpty = errors.New("app renders no objects: refusing to return an empty manifest stream, which Argo CD would prune the whole app for (set the plugin parameter allow-empty=true if that is intended)")

// Pipeline returns the pipeline options of the configuration for the app in dir: render as
// Argo CD would (file reads bounded by the repository root, derived from
// ARGOCD_APP_SOURCE_PATH: see SourceRoot); lint (unless the mode is off) with the built-in rules
// and the admin policies, plus the repository's .wavecheck policies in their own engine when
// enabled.
func (c Config) Pipeline(ctx context.Context, dir string) pipeline.Options {
	pc := c.Policy
	return pipeline.Options{
		Render:           c.renderOptions(ctx, dir),
		Lint:             c.Mode != Off,
		CheckDeterminism: pc.CheckDeterminism && c.Mode != Off,
		Policy: policy.Options{
			Severity:       pc.Severity,
			PolicyDirs:     pc.Dirs,
			DataFiles:      pc.DataFiles,
			Namespaces:     pc.Namespaces,
			Ignore:         pc.Ignore,
			ArgoCDVersion:  pc.ArgoCDVersion,
			TrackingMethod: pc.TrackingMethod,
			Namespace:      pc.Namespace,
			Timeout:        pc.Timeout,
			// The annotation is in the repository: with app overrides forbidden, an app may
			// not exempt itself from the built-in and admin rules.
			NoIgnoreAnnotation: pc.NoAppOverrides,
		},
		RepoPolicies: pc.RepoPolicies,
		LintCacheDir: pc.lintCacheDir(),
	}
}

// Generate renders the app in dir as Argo CD would (cfg.Pipeline), lints it according to
// cfg.Mode and returns the manifest stream. It returns a *PolicyError when enforce mode blocks,
// ErrEmpty for an unexpected empty app, and other errors for render or policy failures; it
// never returns a partial stream. A nil lint runs the pipeline's (the admin engine compiles while the app
// renders).
func Generate(ctx context.Context, dir string, cfg Config, lint Linter) (*Outcome, error) {
	p := pipeline.Start(ctx, cfg.Pipeline(ctx, dir))
	defer p.Close()
	if lint == nil {
		lint = p.Lint
	}
	res, err := p.Render(ctx, dir)
	if err != nil {
		return nil, cfg.explainPartialStream(dir, err)
	}
	out := &Outcome{Type: res.Type, Objects: res.Objects, Notice: ignoreNotice(cfg, res.Objects)}
	if len(res.Objects) == 0 && !cfg.AllowEmpty {
		return out, ErrEmpty
	}
	if cfg.Mode != Off {
		l, err := lint(ctx, res)
		switch {
		case err != nil && cfg.Mode == Enforce:
			return out, fmt.Errorf("evaluate policies: %w", err)
		case err != nil:
			out.LintErr = err
		default:
			out.Findings = l.Findings
		}
		if cfg.Mode == Enforce {
			if errs := errorsOnly(out.Findings); len(errs) > 0 {
				return out, &PolicyError{Errors: errs, Max: cfg.MaxErrors, Notice: out.Notice}
			}
		}
	}
	var buf bytes.Buffer
	if err := render.Write(&buf, res.Objects); err != nil {
		return out, err
	}
	out.Manifests = buf.Bytes()
	return out, nil
}

func errorsOnly(fs []policy.Finding) []policy.Finding {
	var out []policy.Finding
	for _, f := range fs {
		if f.Severity == policy.SeverityError {
			out = append(out, f)
		}
	}
	return out
}

// FormatFinding is the one-line form used on stderr: "rule: Kind/name: message (file:line)".
func FormatFinding(f policy.Finding) string {
	// Object names, messages and file names come from the repository: escaped, so that they
	// cannot forge lines of the report the Argo CD UI shows.
	msg := policy.Printable(strings.Join(strings.Fields(f.Message), " "))
	s := policy.Printable(f.Rule) + ": " + policy.Printable(f.Object.String()) + ": " + msg
	switch {
	case f.File != "" && f.Line > 0:
		s += fmt.Sprintf(" (%s:%d)", policy.Printable(f.File), f.Line)
	case f.File != "":
		s += " (" + policy.Printable(f.File) + ")"
	}
	return s
}

// writeCapped writes one line per finding, at most limit of them, then "and N more".
func writeCapped(b *strings.Builder, fs []policy.Finding, limit int, withSeverity bool) {
	if limit <= 0 {
		limit = DefaultMaxErrors
	}
	for i, f := range fs {
		if i == limit {
			fmt.Fprintf(b, "\nand %d more", len(fs)-limit)
			break
		}
		b.WriteString("\n")
		if withSeverity {
			b.WriteString(string(f.Severity) + " ")
		}
		b.WriteString(FormatFinding(f))
	}
}

// Report is what generation prints on stderr after a successful run: nothing when there is
// nothing to say, a one-line summary in enforce mode, the capped findings in warn mode.
func Report(o *Outcome, cfg Config) string {
	if o == nil || cfg.Mode == Off {
		return ""
	}
	var b strings.Builder
	if o.Notice != "" {
		b.WriteString(o.Notice + "\n")
	}
	if o.LintErr != nil {
		fmt.Fprintf(&b, "wavecheck: policies not evaluated (mode %s, not blocking): %s\n", cfg.Mode, oneLine(o.LintErr.Error()))
	}
	if len(o.Findings) == 0 {
		return b.String()
	}
	counts := map[policy.Severity]int{}
	for _, f := range o.Findings {
		counts[f.Severity]++
	}
	var parts []string
	for _, s := range []policy.Severity{policy.SeverityError, policy.SeverityWarning, policy.SeverityInfo} {
		if counts[s] > 0 {
			parts = append(parts, plural(counts[s], string(s)))
		}
	}
	if cfg.Mode == Warn {
		fmt.Fprintf(&b, "wavecheck: %s (mode warn, not blocking)", strings.Join(parts, ", "))
		bySeverity := append([]policy.Finding(nil), o.Findings...)
		sort.SliceStable(bySeverity, func(i, j int) bool { return bySeverity[i].Severity.Rank() > bySeverity[j].Severity.Rank() })
		writeCapped(&b, bySeverity, cfg.MaxErrors, true)
		b.WriteString("\n")
		return b.String()
	}
	fmt.Fprintf(&b, "wavecheck: %s", strings.Join(parts, ", "))
	var lines []policy.Finding
	for _, f := range o.Findings {
		if f.Severity == policy.SeverityWarning {
			lines = append(lines, f)
		}
	}
	writeCapped(&b, lines, cfg.MaxErrors, true)
	b.WriteString("\n")
	return b.String()
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
