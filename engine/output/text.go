package output

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/wavecheck/wavecheck/engine"
)

// Text writes the timeline grouped by phase and wave, what never ran, and the outcome.
type Text struct{}

// Format implements Writer.
func (Text) Format() string { return "text" }

// Write implements Writer.
func (Text) Write(w io.Writer, rep *engine.Report) error {
	var b strings.Builder
	op := "sync"
	if rep.Operation == "delete" {
		op = "app deletion"
	}
	fmt.Fprintf(&b, "Replay of the %s on %s\n", op, rep.Target)
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	// The table rows go through tw into b, which never fails; rows still keeps the first error
	// so that a future change of destination cannot drop one silently.
	rows := &sticky{w: tw}
	lastPhase := ""
	for _, g := range rep.Groups() {
		if g.Phase != lastPhase {
			rows.flush(tw)
			fmt.Fprintf(&b, "\n%s\n", g.Phase)
			lastPhase = g.Phase
		}
		rows.flush(tw)
		fmt.Fprintf(&b, "  wave %d\n", g.Wave)
		for _, s := range g.Steps {
			ref := s.Ref()
			if s.Namespace != "" {
				ref = s.Kind + "/" + s.Namespace + "/" + s.Name
			}
			hook := ""
			if s.Hook != "" {
				hook = s.Hook + " hook"
			}
			rows.printf("    %6.1fs\t%s\t%s\t%s\t%s\t%s\n", s.AtSeconds, s.Action, ref, hook, s.Result, oneLine(s.Message))
		}
	}
	rows.flush(tw)
	if len(rep.Steps) == 0 {
		b.WriteString("\n(no steps)\n")
	}
	if len(rep.NotRun) > 0 {
		b.WriteString("\nNever ran\n")
		for _, t := range rep.NotRun {
			hook := ""
			if t.Hook != "" {
				hook = " (" + t.Hook + " hook)"
			}
			rows.printf("  %s wave %d\t%s%s\n", t.Phase, t.Wave, t.Ref(), hook)
		}
		rows.flush(tw)
	}
	if len(rep.DeletionHooks) > 0 {
		b.WriteString("\nApp-deletion hooks (not part of a sync; see replay --delete)\n")
		for _, t := range rep.DeletionHooks {
			rows.printf("  %s\t%s\n", t.Phase, t.Ref())
		}
		rows.flush(tw)
	}
	if len(rep.Assumptions) > 0 {
		b.WriteString("\nAssumed by the simulated cluster\n")
		for _, a := range rep.Assumptions {
			fmt.Fprintf(&b, "  %s: %s (%s)\n", a.About, a.Model, a.Detail)
		}
	}
	if rows.err != nil {
		return fmt.Errorf("write text report: %w", rows.err)
	}
	fmt.Fprintf(&b, "\nResult: %s after %gs %s: %s\n", rep.Phase, rep.SimulatedSeconds, clockName(rep), oneLine(rep.Message))
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write text report: %w", err)
	}
	return nil
}

func clockName(rep *engine.Report) string {
	if rep.Simulated {
		return "simulated"
	}
	return "elapsed"
}
