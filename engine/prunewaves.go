package engine

import (
	"fmt"
	"slices"
	"sort"

	"github.com/wavecheck/wavecheck/internal/argocd"
)

// pruneTask is what the prune-wave rounds need of one prune task's live object.
type pruneTask struct {
	annotated int  // syncwaves.Wave of the live object
	last      bool // PruneLast=true
	// stays is set when the object is still live after its prune task ran (Prune=false,
	// Prune=confirm, or a sync without pruning): it keeps taking part in the mirroring.
	stays bool
	// option is the value of the Prune sync option ("false", "confirm"; "" when unset)
	option string
}

// runWaves returns, for each task of the first round's list (in its order), the wave it runs
// in and the rank of the round that runs it, following gitops-engine v3.6.1: every round
// (every reconciliation) getSyncTasks (pkg/sync/sync_context.go) rebuilds the task list from
// live state, gives the prune tasks of the objects still live the mirror of their waves
// ("symmetric swap on prune waves" over the distinct waves of those tasks), then puts PruneLast
// ones one wave after the last Sync wave; Sync then runs the first pending phase and wave. A
// pruned object is gone before the next wave runs (Sync waits for "pruned tasks pending
// deletion"), so the waves left to mirror change as prunes complete: a prune task can run in
// another wave than the first round gave it. The rounds assume every task succeeds and every
// prune completes; SyncFail tasks (run only on failure) keep their first-round place, last.
func runWaves(tasks []Task, prunes map[int]pruneTask) (waves, rank []int) {
	n := len(tasks)
	cur := make([]int, n) // the waves of the current round
	waves, rank = make([]int, n), make([]int, n)
	done, gone := make([]bool, n), make([]bool, n)
	for i, t := range tasks {
		cur[i], waves[i] = t.Wave, t.Wave
		rank[i] = -1
	}
	for round := 0; ; round++ {
		mirrorPruneWaves(tasks, prunes, gone, cur)
		best := -1
		for i, t := range tasks {
			if done[i] || gone[i] || t.Phase == argocd.PhaseSyncFail {
				continue
			}
			if best < 0 || before(t.Phase, cur[i], tasks[best].Phase, cur[best]) {
				best = i
			}
		}
		if best < 0 {
			break
		}
		phase, wave := tasks[best].Phase, cur[best]
		for i, t := range tasks {
			if done[i] || gone[i] || t.Phase != phase || cur[i] != wave {
				continue
			}
			done[i], rank[i], waves[i] = true, round, wave
			if p, ok := prunes[i]; ok && !p.stays {
				gone[i] = true
			}
		}
	}
	last := n
	for i := range tasks {
		if rank[i] < 0 {
			rank[i] = last
		}
	}
	return waves, rank
}

// mirrorPruneWaves sets waves of the live prune tasks as getSyncTasks does in one round.
func mirrorPruneWaves(tasks []Task, prunes map[int]pruneTask, gone []bool, waves []int) {
	byWave := map[int][]int{}
	for i, p := range prunes {
		if !gone[i] {
			byWave[p.annotated] = append(byWave[p.annotated], i)
		}
	}
	unique := make([]int, 0, len(byWave))
	for w := range byWave {
		unique = append(unique, w)
	}
	sort.Ints(unique)
	for i, w := range unique {
		for _, t := range byWave[w] {
			waves[t] = unique[len(unique)-1-i]
		}
	}
	// syncPhaseLastWave: the last wave of the round's Sync tasks (prune tasks included), at
	// least 0, plus one
	lastWave := 0
	for i, t := range tasks {
		if gone[i] || t.Phase != argocd.PhaseSync {
			continue
		}
		lastWave = max(lastWave, waves[i])
	}
	for i, p := range prunes {
		if !gone[i] && p.last {
			waves[i] = lastWave + 1
		}
	}
}

func before(phaseA string, waveA int, phaseB string, waveB int) bool {
	if a, b := argocd.PhaseOrder(phaseA), argocd.PhaseOrder(phaseB); a != b {
		return a < b
	}
	return waveA < waveB
}

// applyRunWaves reorders the plan's tasks as the replay runs them and explains the prune waves.
func applyRunWaves(tasks []Task, prunes map[int]pruneTask, prune bool) []Task {
	waves, rank := runWaves(tasks, prunes)
	for i := range tasks {
		p, ok := prunes[i]
		if !ok {
			continue
		}
		t := &tasks[i]
		first := t.Wave
		t.Wave = waves[i]
		switch {
		case p.last:
			t.Notes = append(t.Notes, fmt.Sprintf("PruneLast: after the last Sync wave (annotated wave %d)", p.annotated))
		case t.Wave != first:
			t.Notes = append(t.Notes, fmt.Sprintf("prune wave re-mirrored once earlier prunes are gone (gitops-engine getSyncTasks, every round): first round %d, annotated wave %d",
				first, p.annotated))
		case t.Wave != p.annotated:
			t.Notes = append(t.Notes, fmt.Sprintf("prune wave mirrored (annotated wave %d)", p.annotated))
		}
		switch {
		case p.option == "false":
			t.Notes = append(t.Notes, "Prune=false: never deleted (PruneSkipped)")
		case p.option == "confirm":
			t.Notes = append(t.Notes, "Prune=confirm: the sync waits in this wave until the prune is confirmed")
		case !prune:
			t.Notes = append(t.Notes, "not deleted without --prune (PruneSkipped)")
		}
	}
	order := make([]int, len(tasks))
	for i := range order {
		order[i] = i
	}
	// in a wave, runTasks prunes first ("prune first"), then applies, each in task order
	pruneFirst := func(i int) int {
		if tasks[i].Action == "prune" {
			return 0
		}
		return 1
	}
	sort.SliceStable(order, func(a, b int) bool {
		if ra, rb := rank[order[a]], rank[order[b]]; ra != rb {
			return ra < rb
		}
		return pruneFirst(order[a]) < pruneFirst(order[b])
	})
	out := make([]Task, len(tasks))
	for i, j := range order {
		out[i] = tasks[j]
	}
	return slices.Clip(out)
}
