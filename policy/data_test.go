package policy

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wavecheck/wavecheck/plugin/render"
	"github.com/wavecheck/wavecheck/policy/argocd"
)

// TestFactsDocMatchesJSON keeps the hand-written factsDoc in step with the JSON form of
// argocd.Facts (which docs/policy.md documents).
func TestFactsDocMatchesJSON(t *testing.T) {
	objs := []render.Object{
		{Object: map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": "ns",
			"annotations": map[string]any{"argocd.argoproj.io/sync-wave": "3"}}}},
		{Object: map[string]any{"apiVersion": "batch/v1", "kind": "Job", "metadata": map[string]any{"name": "j", "namespace": "ns",
			"annotations": map[string]any{"argocd.argoproj.io/hook": "PreSync,PostSync,Bad", "helm.sh/hook": "test",
				"argocd.argoproj.io/hook-delete-policy": "HookSucceeded", "argocd.argoproj.io/sync-options": "Prune=false",
				"argocd.argoproj.io/compare-options": "IgnoreExtraneous", "helm.sh/hook-weight": "x"}}}},
		{Object: map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "c",
			"annotations": map[string]any{"argocd.argoproj.io/sync-wave": int64(1)}}}},
	}
	for i, f := range argocd.AnalyzeAll(objs, argocd.Options{}) {
		bs, err := json.Marshal(f)
		if err != nil {
			t.Fatal(err)
		}
		var want map[string]any
		if err := json.Unmarshal(bs, &want); err != nil {
			t.Fatal(err)
		}
		// factsDoc writes empty lists where encoding/json writes null, so rules can count them.
		for k, v := range want {
			if v == nil && k != "annotations" {
				want[k] = []any{}
			}
		}
		got := roundTrip(t, factsDoc(f))
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("object %d: factsDoc differs from JSON (-json +factsDoc):\n%s", i, diff)
		}
	}
}

func roundTrip(t *testing.T, v any) map[string]any {
	t.Helper()
	bs, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(bs, &out); err != nil {
		t.Fatal(err)
	}
	return out
}
