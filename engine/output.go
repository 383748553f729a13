package engine

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// WriteJSON writes the report's JSON contract (indented, one trailing newline).
func WriteJSON(w io.Writer, rep *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(rep); err != nil {
		return fmt.Errorf("write json report: %w", err)
	}
	return nil
}

// group is a run of consecutive steps in one phase and wave.
type group struct {
	phase string
	wave  int
	steps []Step
}

func groups(steps []Step) []group {
	var out []group
	for _, s := range steps {
		if n := len(out); n > 0 && out[n-1].phase == s.SyncPhase && out[n-1].wave == s.Wave {
			out[n-1].steps = append(out[n-1].steps, s)
			continue
		}
		out = append(out, group{phase: s.SyncPhase, wave: s.Wave, steps: []Step{s}})
	}
	return out
}

func clockName(rep *Report) string {
	if rep.Simulated {
		return "simulated"
	}
	return "elapsed"
}

// WriteText writes the timeline grouped by phase and wave, what never ran, and the outcome.
func WriteText(w io.Writer, rep *Report) error {
	var b strings.Builder
	op := "sync"
	if rep.Operation == "delete" {
		op = "app deletion"
	}
	fmt.Fprintf(&b, "Replay of the %s on %s\n", op, rep.Target)
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	lastPhase := ""
	for _, g := range groups(rep.Steps) {
		if g.phase != lastPhase {
			tw.Flush()
			fmt.Fprintf(&b, "\n%s\n", g.phase)
			lastPhase = g.phase
		}
		tw.Flush()
		fmt.Fprintf(&b, "  wave %d\n", g.wave)
		for _, s := range g.steps {
			ref := s.Ref()
			if s.Namespace != "" {
				ref = s.Kind + "/" + s.Namespace + "/" + s.Name
			}
			hook := ""
			if s.Hook != "" {
				hook = s.Hook + " hook"
			}
			fmt.Fprintf(tw, "    %6.1fs\t%s\t%s\t%s\t%s\t%s\n", s.AtSeconds, s.Action, ref, hook, s.Result, oneLine(s.Message))
		}
	}
	tw.Flush()
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
			fmt.Fprintf(tw, "  %s wave %d\t%s%s\n", t.Phase, t.Wave, t.Ref(), hook)
		}
		tw.Flush()
	}
	if len(rep.DeletionHooks) > 0 {
		b.WriteString("\nApp-deletion hooks (not part of a sync; see replay --delete)\n")
		for _, t := range rep.DeletionHooks {
			fmt.Fprintf(tw, "  %s\t%s\n", t.Phase, t.Ref())
		}
		tw.Flush()
	}
	fmt.Fprintf(&b, "\nResult: %s after %gs %s: %s\n", rep.Phase, rep.SimulatedSeconds, clockName(rep), oneLine(rep.Message))
	_, err := io.WriteString(w, b.String())
	if err != nil {
		return fmt.Errorf("write text report: %w", err)
	}
	return nil
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func mermaidText(s string) string {
	r := strings.NewReplacer(`"`, "#quot;", "<", "#lt;", ">", "#gt;", "\n", " ")
	return r.Replace(s)
}

func marker(result string) string {
	switch result {
	case "Succeeded", "Synced", "Pruned", "Deleted":
		return "✔"
	case "Running", "Terminating":
		return "…"
	case "PruneSkipped":
		return "–"
	}
	return "✘"
}

// WriteMermaid writes a flowchart of phases and waves (paste it in a Markdown ```mermaid block).
func WriteMermaid(w io.Writer, rep *Report) error {
	var b strings.Builder
	b.WriteString("flowchart TD\n")
	b.WriteString("  start([\"" + mermaidText(map[bool]string{true: "app deletion", false: "sync"}[rep.Operation == "delete"]) + "\"])\n")
	prev := "start"
	for i, g := range groups(rep.Steps) {
		id := fmt.Sprintf("g%d", i+1)
		lines := []string{fmt.Sprintf("<b>%s · wave %d</b>", g.phase, g.wave)}
		for _, s := range g.steps {
			lines = append(lines, mermaidText(fmt.Sprintf("%s %s %s %s", marker(s.Result), s.Action, s.Ref(), s.Result)))
		}
		fmt.Fprintf(&b, "  %s[\"%s\"]\n", id, strings.Join(lines, "<br/>"))
		fmt.Fprintf(&b, "  %s --> %s\n", prev, id)
		prev = id
	}
	if len(rep.NotRun) > 0 {
		var lines []string
		for _, t := range rep.NotRun {
			lines = append(lines, mermaidText(fmt.Sprintf("%s wave %d %s", t.Phase, t.Wave, t.Ref())))
		}
		fmt.Fprintf(&b, "  notrun[\"<b>never ran</b><br/>%s\"]\n", strings.Join(lines, "<br/>"))
		b.WriteString("  style notrun stroke-dasharray: 5 5\n")
	}
	fmt.Fprintf(&b, "  done([\"%s after %gs\"])\n", mermaidText(rep.Phase), rep.SimulatedSeconds)
	fmt.Fprintf(&b, "  %s --> done\n", prev)
	if rep.Phase == "Succeeded" {
		b.WriteString("  style done fill:#d4edda\n")
	} else {
		b.WriteString("  style done fill:#f8d7da\n")
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write mermaid report: %w", err)
	}
	return nil
}

// WritePlan writes the plan as a table.
func WritePlan(w io.Writer, p *PlanResult) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tPHASE\tWAVE\tACTION\tKIND\tNAMESPACE\tNAME\tHOOK\tDELETE POLICY\tNOTE")
	for i, t := range p.Tasks {
		note := ""
		switch {
		case t.Moved:
			note = fmt.Sprintf("moved before its first dependant (annotated wave %d)", t.AnnotatedWave)
		case t.Action == "prune" && t.Wave != t.AnnotatedWave:
			note = fmt.Sprintf("prune wave mirrored (annotated wave %d)", t.AnnotatedWave)
		}
		fmt.Fprintf(tw, "%d\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", i+1, t.Phase, t.Wave, t.Action, t.Kind, dash(t.Namespace), t.Name, dash(t.Hook), dash(strings.Join(t.DeletePolicies, ",")), note)
	}
	for _, t := range p.DeletionHooks {
		fmt.Fprintf(tw, "-\t%s\t-\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.Phase, t.Action, t.Kind, dash(t.Namespace), t.Name, t.Hook, dash(strings.Join(t.DeletePolicies, ",")), "app deletion only: stripped from the sync")
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write plan: %w", err)
	}
	return nil
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
