package policy

import (
	"github.com/wavecheck/wavecheck/policy/argocd"
)

// factsDoc converts facts to the JSON-compatible document rules see as
// data.wavecheck.objects[_].argocd (the same shape as encoding/json gives; see
// TestFactsDocMatchesJSON). It is hand-written because a JSON round trip of 5,000 objects
// costs more than evaluating every rule.
func factsDoc(f argocd.Facts) map[string]any {
	var ann any
	if f.Annotations != nil {
		m := make(map[string]any, len(f.Annotations))
		for k, v := range f.Annotations {
			m[k] = v
		}
		ann = m
	}
	steps := make([]any, 0, len(f.Steps))
	for _, s := range f.Steps {
		m := map[string]any{"phase": s.Phase, "wave": s.Wave}
		if s.Moved {
			m["moved"] = true
			m["before"] = s.Before
			m["declaredPhase"] = s.DeclaredPhase
			m["declaredWave"] = s.DeclaredWave
		}
		steps = append(steps, m)
	}
	return map[string]any{
		"annotations":             ann,
		"nonStringAnnotations":    strs(f.NonStringAnnotations),
		"annotationsDropped":      f.AnnotationsDropped,
		"hook":                    f.Hook,
		"skip":                    f.Skip,
		"hookTypes":               strs(f.HookTypes),
		"argocdHookValues":        strs(f.ArgoCDHookValues),
		"helmHookValues":          strs(f.HelmHookValues),
		"deleteHookTypes":         strs(f.DeleteHookTypes),
		"syncPhases":              strs(f.SyncPhases),
		"wave":                    f.Wave,
		"waveSource":              f.WaveSource,
		"syncWaveInvalid":         f.SyncWaveInvalid,
		"hookWeightInvalid":       f.HookWeightInvalid,
		"deletePolicies":          strs(f.DeletePolicies),
		"deletePoliciesDefaulted": f.DeletePoliciesDefaulted,
		"syncOptions":             strs(f.SyncOptions),
		"compareOptions":          strs(f.CompareOptions),
		"steps":                   steps,
		"phase":                   f.Phase,
		"effectiveWave":           f.EffectiveWave,
	}
}

// strs is a string list as a JSON array (never null, so rules can count and iterate it).
func strs(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}
