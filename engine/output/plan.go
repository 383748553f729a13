package output

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/wavecheck/wavecheck/engine"
)

// PlanText writes the plan as a table: the tasks in the order the sync runs them, then the
// objects a sync never applies and the app-deletion hooks, each with its reason in NOTE.
type PlanText struct{}

// Format implements PlanWriter.
func (PlanText) Format() string { return "text" }

// Write implements PlanWriter.
func (PlanText) Write(w io.Writer, p *engine.PlanResult) error {
	var t table
	t.row("", "#", "PHASE", "WAVE", "ACTION", "KIND", "NAMESPACE", "NAME", "HOOK", "DELETE POLICY", "NOTE")
	for i, task := range p.Tasks {
		t.row("", strconv.Itoa(i+1), task.Phase, strconv.Itoa(task.Wave), task.Action, task.Kind, dash(task.Namespace), task.Name,
			dash(task.Hook), dash(strings.Join(task.DeletePolicies, ",")), oneLine(strings.Join(task.Notes, "; ")))
	}
	for _, task := range p.NeverApplied {
		t.row("", "-", "-", strconv.Itoa(task.Wave), task.Action, task.Kind, dash(task.Namespace), task.Name,
			dash(strings.Join(task.HookTypes, ",")), "-", oneLine(strings.Join(task.Notes, "; ")))
	}
	for _, task := range p.DeletionHooks {
		t.row("", "-", task.Phase, "-", task.Action, task.Kind, dash(task.Namespace), task.Name, task.Hook,
			dash(strings.Join(task.DeletePolicies, ",")), oneLine(strings.Join(task.Notes, "; ")))
	}
	if _, err := io.WriteString(w, t.String()); err != nil {
		return fmt.Errorf("write plan: %w", err)
	}
	return nil
}

// PlanMermaid writes the plan as a flowchart of phases and waves (large waves collapsed, under
// Mermaid's 50,000-character limit).
type PlanMermaid struct{}

// Format implements PlanWriter.
func (PlanMermaid) Format() string { return "mermaid" }

// Write implements PlanWriter.
func (PlanMermaid) Write(w io.Writer, p *engine.PlanResult) error {
	g := graph{start: "sync plan", done: fmt.Sprintf("%d tasks", len(p.Tasks)), ok: true}
	for _, task := range p.Tasks {
		it := item{action: task.Action, kind: task.Kind, name: task.Name}
		if task.Hook != "" {
			it.result = task.Hook + " hook"
		}
		g.add(task.Phase, task.Wave, it)
	}
	var never, deletion []item
	for _, task := range p.NeverApplied {
		never = append(never, item{kind: task.Kind, name: task.Name})
	}
	for _, task := range p.DeletionHooks {
		deletion = append(deletion, item{action: task.Phase, kind: task.Kind, name: task.Name})
	}
	g.side("never", "never applied", never)
	g.side("deletion", "app deletion only", deletion)
	if _, err := io.WriteString(w, g.render()); err != nil {
		return fmt.Errorf("write mermaid plan: %w", err)
	}
	return nil
}
