package output

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/wavecheck/wavecheck/engine"
)

// PlanTable writes the plan as a table.
type PlanTable struct{}

// Format implements PlanWriter.
func (PlanTable) Format() string { return "table" }

// Write implements PlanWriter.
func (PlanTable) Write(w io.Writer, p *engine.PlanResult) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	out := &sticky{w: tw}
	out.printf("#\tPHASE\tWAVE\tACTION\tKIND\tNAMESPACE\tNAME\tHOOK\tDELETE POLICY\tNOTE\n")
	for i, t := range p.Tasks {
		note := ""
		switch {
		case t.Moved:
			note = fmt.Sprintf("moved before its first dependant (annotated wave %d)", t.AnnotatedWave)
		case t.Action == "prune" && t.Wave != t.AnnotatedWave:
			note = fmt.Sprintf("prune wave mirrored (annotated wave %d)", t.AnnotatedWave)
		}
		out.printf("%d\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", i+1, t.Phase, t.Wave, t.Action, t.Kind, dash(t.Namespace), t.Name, dash(t.Hook), dash(strings.Join(t.DeletePolicies, ",")), note)
	}
	for _, t := range p.DeletionHooks {
		out.printf("-\t%s\t-\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.Phase, t.Action, t.Kind, dash(t.Namespace), t.Name, t.Hook, dash(strings.Join(t.DeletePolicies, ",")), "app deletion only: stripped from the sync")
	}
	out.flush(tw)
	if out.err != nil {
		return fmt.Errorf("write plan: %w", out.err)
	}
	return nil
}
