package output

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/wavecheck/wavecheck/engine"
)

// bigReport is a replay of n objects: ConfigMaps in wave 0, Deployments spread over waves,
// a PostSync hook per hundred objects and their clean-up.
func bigReport(n int) *engine.Report {
	rep := &engine.Report{Phase: "Succeeded", SimulatedSeconds: 42}
	add := func(s engine.Step) {
		s.Seq = len(rep.Steps) + 1
		rep.Steps = append(rep.Steps, s)
	}
	for i := range n {
		switch {
		case i%10 < 9:
			add(engine.Step{SyncPhase: "Sync", Action: "apply", Kind: "ConfigMap", Name: fmt.Sprintf("settings-%04d", i), Result: "Synced"})
		default:
			add(engine.Step{SyncPhase: "Sync", Wave: i / 10, Action: "apply", Kind: "Deployment", Name: fmt.Sprintf("web-%04d", i), Result: "Synced"})
		}
	}
	for i := range n / 100 {
		add(engine.Step{SyncPhase: "PostSync", Action: "apply", Kind: "Job", Name: fmt.Sprintf("report-%d", i), Hook: "PostSync", Result: "Succeeded"})
	}
	for i := range n / 100 {
		add(engine.Step{SyncPhase: "PostSync", Action: "delete", Kind: "Job", Name: fmt.Sprintf("report-%d", i), Hook: "PostSync", Result: "Deleted", Cleanup: true})
	}
	return rep
}

func TestMermaidCollapsesLargeWaves(t *testing.T) {
	var b bytes.Buffer
	if err := (Mermaid{}).Write(&b, bigReport(3000)); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if len(out) >= MaxMermaid {
		t.Fatalf("3,000-object replay: %d characters, Mermaid draws at most %d", len(out), MaxMermaid)
	}
	// the 2,700 ConfigMaps of wave 0 are one line; the waves of one Deployment each are drawn
	// or, when they do not fit, merged into their phase
	for _, want := range []string{"✔ apply ConfigMap ×2700 Synced", "clean-up (delete policies)", "✔ delete Job ×30 Deleted"} {
		if !strings.Contains(out, want) {
			t.Errorf("mermaid lacks %q:\n%.2000s", want, out)
		}
	}
	// a small wave is listed step by step
	var small bytes.Buffer
	if err := (Mermaid{}).Write(&small, bigReport(20)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(small.String(), "✔ apply Deployment/web-0009 Synced") {
		t.Errorf("small replay not listed step by step:\n%s", small.String())
	}
}

// Any replay or plan, however large or odd its names, draws under Mermaid's limit.
func TestMermaidUnderLimitForAnyApp(t *testing.T) {
	rng := rand.New(rand.NewPCG(50000, 15))
	phases := []string{"PreSync", "Sync", "PostSync", "SyncFail"}
	results := []string{"Synced", "SyncFailed", "Succeeded", "Failed", "Running", "Pruned", "PruneSkipped", "Deleted"}
	word := func(n int) string {
		const chars = "abcdefghijklmnopqrstuvwxyz0123456789-.\"<>#"
		b := make([]byte, 1+rng.IntN(n))
		for i := range b {
			b[i] = chars[rng.IntN(len(chars))]
		}
		return string(b)
	}
	for n := range 20 {
		size := rng.IntN(4000)
		rep := &engine.Report{Phase: "Failed"}
		plan := &engine.PlanResult{}
		wave := 0
		for i := range size {
			if rng.IntN(3) == 0 {
				wave = rng.IntN(2000) - 1000
			}
			s := engine.Step{Seq: i + 1, SyncPhase: phases[rng.IntN(len(phases))], Wave: wave, Action: "apply",
				Kind: word(60), Name: word(253), Result: results[rng.IntN(len(results))], Cleanup: rng.IntN(10) == 0}
			rep.Steps = append(rep.Steps, s)
			task := engine.Task{Phase: s.SyncPhase, Wave: s.Wave, Action: "apply", Kind: s.Kind, Name: s.Name}
			plan.Tasks = append(plan.Tasks, task)
			if rng.IntN(8) == 0 {
				rep.NotRun = append(rep.NotRun, task)
				plan.NeverApplied = append(plan.NeverApplied, task)
				plan.DeletionHooks = append(plan.DeletionHooks, task)
			}
		}
		var b, p bytes.Buffer
		if err := (Mermaid{}).Write(&b, rep); err != nil {
			t.Fatal(err)
		}
		if err := (PlanMermaid{}).Write(&p, plan); err != nil {
			t.Fatal(err)
		}
		for what, out := range map[string]string{"replay": b.String(), "plan": p.String()} {
			if len(out) >= MaxMermaid {
				t.Errorf("case %d (%d steps): %s mermaid has %d characters, want < %d", n, size, what, len(out), MaxMermaid)
			}
			if !strings.HasPrefix(out, "flowchart TD\n") || !strings.Contains(out, "--> done\n") {
				t.Errorf("case %d: %s mermaid is not a flowchart ending in done:\n%.500s", n, what, out)
			}
			// a label never holds a raw quote: it would end the label
			for _, line := range strings.Split(out, "\n") {
				if i := strings.Index(line, `["`); i >= 0 && strings.Count(line[i+2:], `"`) != 1 {
					t.Errorf("case %d: %s label with a raw quote: %.300s", n, what, line)
					break
				}
			}
		}
	}
}
