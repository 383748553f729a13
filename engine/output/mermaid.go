package output

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/wavecheck/wavecheck/engine"
)

// MaxMermaid is the size above which Mermaid refuses to draw a diagram (its maxTextSize
// default, 50,000 characters: GitHub and mermaid.live then show an error instead). The
// flowcharts stay under it for any app: see graph.render.
const MaxMermaid = 50000

// Mermaid writes a flowchart of phases and waves (paste it in a Markdown ```mermaid block):
// large waves are collapsed by kind ("ConfigMap ×270"), and a replay too large to draw step by
// step is drawn wave by wave, then phase by phase.
type Mermaid struct{}

// Format implements Writer.
func (Mermaid) Format() string { return "mermaid" }

// Write implements Writer.
func (Mermaid) Write(w io.Writer, rep *engine.Report) error {
	g := graph{start: "sync", ok: rep.Phase == "Succeeded",
		done: fmt.Sprintf("%s after %gs", rep.Phase, rep.SimulatedSeconds)}
	if rep.Operation == "delete" {
		g.start = "app deletion"
	}
	for _, grp := range rep.PhaseGroups() {
		for _, s := range grp.Steps {
			g.add(grp.Phase, grp.Wave, stepItem(s))
		}
	}
	for _, s := range rep.CleanupSteps() {
		g.cleanup = append(g.cleanup, stepItem(s))
	}
	var notRun []item
	for _, t := range rep.NotRun {
		notRun = append(notRun, item{action: fmt.Sprintf("%s wave %d", t.Phase, t.Wave), kind: t.Kind, name: t.Name})
	}
	g.side("notrun", "never ran", notRun)
	if _, err := io.WriteString(w, g.render()); err != nil {
		return fmt.Errorf("write mermaid report: %w", err)
	}
	return nil
}

func stepItem(s engine.Step) item {
	return item{mark: marker(s.Result), action: s.Action, kind: s.Kind, name: s.Name, result: s.Result}
}

// item is one line of a node: a step or a task.
type item struct{ mark, action, kind, name, result string }

// group is the items of one phase and wave.
type group struct {
	phase string
	wave  int
	items []item
}

// sideNode is a dashed node off the chain (never ran, never applied).
type sideNode struct {
	id, title string
	items     []item
}

// graph is a flowchart: start, the groups in order, the clean-up, done; and side nodes.
type graph struct {
	start   string
	groups  []group
	cleanup []item
	sides   []sideNode
	done    string
	ok      bool
}

func (g *graph) add(phase string, wave int, it item) {
	if n := len(g.groups); n > 0 && g.groups[n-1].phase == phase && g.groups[n-1].wave == wave {
		g.groups[n-1].items = append(g.groups[n-1].items, it)
		return
	}
	g.groups = append(g.groups, group{phase: phase, wave: wave, items: []item{it}})
}

func (g *graph) side(id, title string, items []item) {
	if len(items) > 0 {
		g.sides = append(g.sides, sideNode{id: id, title: title, items: items})
	}
}

// Detail levels of a flowchart, from the most detailed: each is tried until one fits.
const (
	levelSteps  = iota // every step of a wave of up to listAtMost steps, larger waves by kind
	levelKinds         // every wave by kind
	levelPhases        // one node per phase (its waves merged), by kind
	levelCounts        // one node per phase, by action and result only
)

const (
	listAtMost  = 12  // a wave with more steps is collapsed by kind at levelSteps
	maxLineRune = 120 // a longer line is cut
)

// linesAt is the most lines a node has at a level (the rest summed up in one line).
var linesAt = [...]int{levelSteps: 60, levelKinds: 20, levelPhases: 12, levelCounts: 12}

// render returns the most detailed flowchart under MaxMermaid. The last level is bounded
// whatever the app: one node per distinct phase (a handful), plus clean-up, done and side
// nodes, each of at most linesAt lines of at most maxLineRune characters.
func (g *graph) render() string {
	for level := levelSteps; level < levelCounts; level++ {
		if out := g.renderAt(level); len(out) < MaxMermaid {
			return out
		}
	}
	return g.renderAt(levelCounts)
}

func (g *graph) renderAt(level int) string {
	var b strings.Builder
	b.WriteString("flowchart TD\n")
	fmt.Fprintf(&b, "  start([\"%s\"])\n", mermaidText(g.start))
	prev := "start"
	node := func(id, title string, lines []string) {
		fmt.Fprintf(&b, "  %s[\"<b>%s</b>", id, mermaidText(title))
		for _, l := range lines {
			b.WriteString("<br/>" + mermaidText(l))
		}
		b.WriteString("\"]\n")
	}
	chain := func(id, title string, lines []string) {
		node(id, title, lines)
		fmt.Fprintf(&b, "  %s --> %s\n", prev, id)
		prev = id
	}
	for i, grp := range g.merged(level) {
		chain(fmt.Sprintf("g%d", i+1), grp.title, g.lines(grp.items, level, len(grp.items) > listAtMost))
	}
	if len(g.cleanup) > 0 {
		chain("cleanup", "clean-up (delete policies)", g.lines(g.cleanup, level, len(g.cleanup) > listAtMost))
	}
	for _, s := range g.sides {
		node(s.id, s.title, g.lines(s.items, level, len(s.items) > listAtMost))
		fmt.Fprintf(&b, "  style %s stroke-dasharray: 5 5\n", s.id)
	}
	fmt.Fprintf(&b, "  done([\"%s\"])\n", mermaidText(g.done))
	fmt.Fprintf(&b, "  %s --> done\n", prev)
	if g.ok {
		b.WriteString("  style done fill:#d4edda\n")
	} else {
		b.WriteString("  style done fill:#f8d7da\n")
	}
	return b.String()
}

type titled struct {
	title string
	items []item
}

// merged returns the nodes of the chain at a level: one per group, or one per phase.
func (g *graph) merged(level int) []titled {
	if level < levelPhases {
		out := make([]titled, len(g.groups))
		for i, grp := range g.groups {
			out[i] = titled{title: fmt.Sprintf("%s · wave %d", grp.phase, grp.wave), items: grp.items}
		}
		return out
	}
	var out []titled
	at := map[string]int{}
	lo, hi := map[string]int{}, map[string]int{}
	waves := map[string]int{}
	for _, grp := range g.groups {
		i, ok := at[grp.phase]
		if !ok {
			i = len(out)
			at[grp.phase] = i
			out = append(out, titled{})
			lo[grp.phase], hi[grp.phase] = grp.wave, grp.wave
		}
		out[i].items = append(out[i].items, grp.items...)
		lo[grp.phase], hi[grp.phase] = min(lo[grp.phase], grp.wave), max(hi[grp.phase], grp.wave)
		waves[grp.phase]++
	}
	for phase, i := range at {
		out[i].title = fmt.Sprintf("%s · wave %d", phase, lo[phase])
		if waves[phase] > 1 {
			out[i].title = fmt.Sprintf("%s · %d waves, %d to %d", phase, waves[phase], lo[phase], hi[phase])
		}
	}
	return out
}

// lines renders items: one line each, or collapsed by kind ("✔ apply ConfigMap ×270 Synced"),
// or at levelCounts by action and result; at most linesAt[level] lines.
func (g *graph) lines(items []item, level int, large bool) []string {
	var out []string
	if level == levelSteps && !large {
		for _, it := range items {
			out = append(out, it.line(it.kind+"/"+it.name))
		}
	} else {
		type key struct{ mark, action, kind, result string }
		count := map[key]int{}
		first := map[key]item{}
		var order []key
		for _, it := range items {
			k := key{it.mark, it.action, it.kind, it.result}
			if level == levelCounts {
				k.kind = ""
			}
			if count[k] == 0 {
				order = append(order, k)
				first[k] = it
			}
			count[k]++
		}
		for _, k := range order {
			it := first[k]
			switch {
			case count[k] == 1 && level < levelCounts:
				out = append(out, it.line(it.kind+"/"+it.name))
			case level == levelCounts:
				out = append(out, it.line(fmt.Sprintf("×%d", count[k])))
			default:
				out = append(out, it.line(fmt.Sprintf("%s ×%d", it.kind, count[k])))
			}
		}
	}
	if most := linesAt[level]; len(out) > most {
		rest := len(out) - (most - 1)
		out = append(out[:most-1], fmt.Sprintf("… %d more lines", rest))
	}
	return out
}

// line is "mark action what result" without empty parts, cut to maxLineRune characters.
func (it item) line(what string) string {
	var parts []string
	for _, p := range []string{it.mark, it.action, what, it.result} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	s := strings.Join(parts, " ")
	if utf8.RuneCountInString(s) > maxLineRune {
		s = string([]rune(s)[:maxLineRune-1]) + "…"
	}
	return s
}

// mermaidText makes s safe inside a quoted Mermaid label, one character for one (so that a cut
// line stays bounded): quotes, angle brackets and # (which starts an entity) become look-alikes.
func mermaidText(s string) string { return mermaidEscaper.Replace(s) }

var mermaidEscaper = strings.NewReplacer(`"`, "'", "<", "‹", ">", "›", "#", "＃", "\n", " ", "\r", " ")

func marker(result string) string {
	switch result {
	case "Succeeded", "Synced", "Pruned", "Deleted":
		return "✔"
	case "Running", "Terminating":
		return "…"
	case "PruneSkipped", "Skipped", "DeleteSkipped":
		return "–"
	}
	return "✘"
}
