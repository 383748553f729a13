package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/wavecheck/wavecheck/policy"
)

// Text is the human-readable report: findings grouped by object, each with its severity,
// rule id and a one-line fix hint, then a summary line.
type Text struct {
	// Color enables ANSI colours (the CLI sets it on a terminal or with --color=always).
	Color bool
}

// Format implements Writer.
func (*Text) Format() string { return "text" }

const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiDim    = "\x1b[2m"
	ansiRed    = "\x1b[31m"
	ansiYellow = "\x1b[33m"
	ansiCyan   = "\x1b[36m"
	ansiGreen  = "\x1b[32m"
)

func (t *Text) paint(code, s string) string {
	if !t.Color || s == "" {
		return s
	}
	return code + s + ansiReset
}

func (t *Text) severity(s policy.Severity) string {
	label := fmt.Sprintf("%-7s", s)
	switch s {
	case policy.SeverityError:
		return t.paint(ansiBold+ansiRed, label)
	case policy.SeverityWarning:
		return t.paint(ansiYellow, label)
	case policy.SeverityInfo:
		return t.paint(ansiCyan, label)
	}
	return label
}

// Write implements Writer.
func (t *Text) Write(w io.Writer, r *Report) error {
	bw := newBufWriter(w)
	t.body(bw, r)
	bw.println(t.summary(r, summaryLine(r)))
	return bw.Flush()
}

// body writes the findings and suppressed findings of one report.
func (t *Text) body(bw bufWriter, r *Report) {
	width := 0
	for _, f := range r.Findings {
		width = max(width, len(f.Rule))
	}
	for _, g := range groupFindings(r.Findings) {
		header := objectLabel(g.ref)
		if loc := location(g.file, g.line); loc != "" {
			header = loc + ": " + header
		}
		bw.println(t.paint(ansiBold, header))
		for _, f := range g.findings {
			bw.printf("  %s %s  %s\n", t.severity(f.Severity), t.paint(ansiDim, fmt.Sprintf("%-*s", width, f.Rule)), oneLine(f.Message))
			if f.Hint != "" {
				bw.printf("  %s %s  %s %s\n", strings.Repeat(" ", 7), strings.Repeat(" ", width), t.paint(ansiGreen, "fix:"), oneLine(f.Hint))
			}
		}
		bw.println("")
	}
	if len(r.Suppressed) > 0 {
		bw.println(t.paint(ansiBold, "suppressed:"))
		for _, s := range r.Suppressed {
			line := fmt.Sprintf("  %s %s", s.Rule, objectLabel(s.Object))
			if loc := location(s.File, s.Line); loc != "" {
				line += " at " + loc
			}
			if s.Reason != "" {
				line += ": " + oneLine(s.Reason)
			}
			bw.println(t.paint(ansiDim, line))
		}
		bw.println("")
	}
}

// summary colours a summary line by the worst finding of r.
func (t *Text) summary(r *Report, line string) string {
	switch {
	case r.Summary.Errors > 0:
		return t.paint(ansiBold+ansiRed, line)
	case r.Summary.Warnings > 0:
		return t.paint(ansiYellow, line)
	}
	return t.paint(ansiGreen, line)
}

// group is the findings of one object at one location.
type group struct {
	ref      policy.ObjectRef
	file     string
	line     int
	findings []policy.Finding
}

// groupFindings groups consecutive findings (already sorted by file, line, object) that are
// about the same object at the same place.
func groupFindings(fs []policy.Finding) []group {
	var out []group
	for _, f := range fs {
		if n := len(out); n > 0 && out[n-1].ref == f.Object && out[n-1].file == f.File && out[n-1].line == f.Line {
			out[n-1].findings = append(out[n-1].findings, f)
			continue
		}
		out = append(out, group{ref: f.Object, file: f.File, line: f.Line, findings: []policy.Finding{f}})
	}
	return out
}

// oneLine folds a multi-line message onto one line.
func oneLine(s string) string {
	return policy.Printable(strings.Join(strings.Fields(s), " "))
}
