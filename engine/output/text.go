package output

import (
	"fmt"
	"io"
	"strings"

	"github.com/wavecheck/wavecheck/engine"
)

// Text writes the timeline grouped by phase and wave, the hook clean-up after the phases, what
// never ran, and the outcome. The step columns are aligned across the whole timeline.
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
	var steps table
	lastPhase := ""
	for _, g := range rep.PhaseGroups() {
		if g.Phase != lastPhase {
			steps.heading("")
			steps.heading(g.Phase)
			lastPhase = g.Phase
		}
		steps.heading(fmt.Sprintf("  wave %d", g.Wave))
		for _, s := range g.Steps {
			stepRow(&steps, s)
		}
	}
	if cleanup := rep.CleanupSteps(); len(cleanup) > 0 {
		steps.heading("")
		steps.heading("Clean-up (hooks deleted by their delete policy, after the phases)")
		for _, s := range cleanup {
			stepRow(&steps, s)
		}
	}
	b.WriteString(steps.String())
	if len(rep.Steps) == 0 {
		b.WriteString("\n(no steps)\n")
	}
	if len(rep.NotRun) > 0 {
		b.WriteString("\nNever ran\n")
		var t table
		for _, task := range rep.NotRun {
			hook := ""
			if task.Hook != "" {
				hook = " (" + task.Hook + " hook)"
			}
			t.row("  ", fmt.Sprintf("%s wave %d", task.Phase, task.Wave), task.Ref()+hook)
		}
		b.WriteString(t.String())
	}
	if len(rep.DeletionHooks) > 0 {
		b.WriteString("\nApp-deletion hooks (not part of a sync; see replay --delete)\n")
		var t table
		for _, task := range rep.DeletionHooks {
			t.row("  ", task.Phase, task.Ref())
		}
		b.WriteString(t.String())
	}
	if len(rep.Assumptions) > 0 {
		b.WriteString("\nAssumed by the simulated cluster\n")
		for _, a := range rep.Assumptions {
			fmt.Fprintf(&b, "  %s: %s (%s)\n", a.About, a.Model, a.Detail)
		}
	}
	fmt.Fprintf(&b, "\nResult: %s after %gs %s: %s\n", rep.Phase, rep.SimulatedSeconds, clockName(rep), oneLine(rep.Message))
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write text report: %w", err)
	}
	return nil
}

// stepRow adds one step: time, action, Kind/namespace/name, hook, result, message.
func stepRow(t *table, s engine.Step) {
	ref := s.Ref()
	if s.Namespace != "" {
		ref = s.Kind + "/" + s.Namespace + "/" + s.Name
	}
	hook := ""
	if s.Hook != "" {
		hook = s.Hook + " hook"
	}
	t.row("    ", fmt.Sprintf("%6.1fs", s.AtSeconds), s.Action, ref, hook, s.Result, oneLine(s.Message))
}

func clockName(rep *engine.Report) string {
	if rep.Simulated {
		return "simulated"
	}
	return "elapsed"
}
