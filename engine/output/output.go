// Package output renders replay reports and sync plans, one file per format behind a small
// interface, as policy/report does for lint reports: [NewWriter] selects a replay [Writer] by
// name (text, json, mermaid, expect) and [NewPlanWriter] a [PlanWriter] (text, json, mermaid).
// "table" is an alias of "text" for both (plan's former name of its text format).
package output

import (
	"fmt"
	"io"
	"strings"

	"github.com/wavecheck/wavecheck/engine"
)

// Writer renders a replay report in one format.
type Writer interface {
	// Format is the name the writer is selected by (e.g. "mermaid").
	Format() string
	// Write renders rep to w.
	Write(w io.Writer, rep *engine.Report) error
}

// PlanWriter renders a sync plan in one format.
type PlanWriter interface {
	// Format is the name the writer is selected by (e.g. "text").
	Format() string
	// Write renders p to w.
	Write(w io.Writer, p *engine.PlanResult) error
}

var (
	writers     = []Writer{Text{}, JSON{}, Mermaid{}, Expect{}}
	planWriters = []PlanWriter{PlanText{}, PlanJSON{}, PlanMermaid{}}
	// aliases maps a former format name to its current one.
	aliases = map[string]string{"table": "text"}
)

// Formats lists the replay report formats; the first is the default.
func Formats() []string { return names(writers) }

// PlanFormats lists the plan formats; the first is the default.
func PlanFormats() []string { return names(planWriters) }

// NewWriter returns the replay writer for a format name (case-insensitive; empty: the default).
func NewWriter(format string) (Writer, error) {
	return lookup(writers, format)
}

// NewPlanWriter returns the plan writer for a format name (case-insensitive; empty: the default).
func NewPlanWriter(format string) (PlanWriter, error) {
	return lookup(planWriters, format)
}

func names[W interface{ Format() string }](ws []W) []string {
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = w.Format()
	}
	return out
}

func lookup[W interface{ Format() string }](ws []W, format string) (W, error) {
	f := strings.ToLower(strings.TrimSpace(format))
	if f == "" {
		return ws[0], nil
	}
	if a, ok := aliases[f]; ok {
		f = a
	}
	for _, w := range ws {
		if w.Format() == f {
			return w, nil
		}
	}
	var zero W
	return zero, fmt.Errorf("select output: unknown format %q (want %s)", format, strings.Join(names(ws), ", "))
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
