package output

import (
	"fmt"
	"io"
	"strings"

	"github.com/wavecheck/wavecheck/engine"
)

// Mermaid writes a flowchart of phases and waves (paste it in a Markdown ```mermaid block).
type Mermaid struct{}

// Format implements Writer.
func (Mermaid) Format() string { return "mermaid" }

// Write implements Writer.
func (Mermaid) Write(w io.Writer, rep *engine.Report) error {
	var b strings.Builder
	b.WriteString("flowchart TD\n")
	b.WriteString("  start([\"" + mermaidText(map[bool]string{true: "app deletion", false: "sync"}[rep.Operation == "delete"]) + "\"])\n")
	prev := "start"
	for i, g := range rep.Groups() {
		id := fmt.Sprintf("g%d", i+1)
		lines := []string{fmt.Sprintf("<b>%s · wave %d</b>", g.Phase, g.Wave)}
		for _, s := range g.Steps {
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
