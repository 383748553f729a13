package engine_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wavecheck/wavecheck/engine"
	"github.com/wavecheck/wavecheck/internal/manifest"
)

func configMap(name string, wave int, options string) manifest.Object {
	ann := map[string]any{"argocd.argoproj.io/sync-wave": fmt.Sprint(wave)}
	if options != "" {
		ann["argocd.argoproj.io/sync-options"] = options
	}
	return manifest.Object{Object: map[string]any{"apiVersion": "v1", "kind": "ConfigMap",
		"metadata": map[string]any{"name": name, "annotations": ann}}}
}

// The plan gives prune tasks the waves the replay (gitops-engine, round by round) prunes them
// in, in the same order: checked on random apps with random live objects (waves, PruneLast,
// Prune=false), with and without pruning.
func TestPlanPruneWavesMatchReplay(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 2026))
	options := []string{"", "", "", "PruneLast=true", "Prune=false"}
	for n := range 40 {
		var app, live []manifest.Object
		for i := range rng.IntN(4) {
			app = append(app, configMap(fmt.Sprintf("app-%d", i), rng.IntN(7)-3, ""))
		}
		for i := range 1 + rng.IntN(6) {
			live = append(live, configMap(fmt.Sprintf("old-%d", i), rng.IntN(9)-4, options[rng.IntN(len(options))]))
		}
		prune := rng.IntN(4) != 0
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			opts := engine.Options{Prune: prune, WaveDelay: engine.NoWaveDelay, Cluster: engine.Simulated(engine.SimOptions{Live: live})}
			p, err := engine.Plan(context.Background(), app, opts)
			if err != nil {
				t.Fatal(err)
			}
			rep, err := engine.Replay(context.Background(), app, opts)
			if err != nil {
				t.Fatal(err)
			}
			var planned, replayed []string
			for _, task := range p.Tasks {
				planned = append(planned, fmt.Sprintf("%s %d %s %s", task.Phase, task.Wave, task.Action, task.Ref()))
			}
			for _, s := range rep.Steps {
				replayed = append(replayed, fmt.Sprintf("%s %d %s %s", s.SyncPhase, s.Wave, s.Action, s.Ref()))
			}
			if diff := cmp.Diff(replayed, planned); diff != "" {
				t.Errorf("prune %v, app %v, live %v: plan differs from the replay (-replay +plan):\n%s", prune, refsOf(app), refsOf(live), diff)
			}
		})
	}
}

func refsOf(objs []manifest.Object) []string {
	var out []string
	for _, o := range objs {
		out = append(out, fmt.Sprintf("%s@%v%v", o.Name(), o.Annotations()["argocd.argoproj.io/sync-wave"], o.Annotations()["argocd.argoproj.io/sync-options"]))
	}
	return out
}
