package policy

import (
	"github.com/wavecheck/wavecheck/plugin/render"
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

// candidateSets computes data.wavecheck.sets: for each family of rules, the indices of the
// objects it needs to look at. Each set must equal its definition in lib.rego (the else
// branch of the rule of the same purpose); TestCandidateSets checks it.
func candidateSets(objs []render.Object, facts []argocd.Facts) map[string]any {
	names := []string{"hooks", "hookAnnotated", "deletePolicy", "syncOptions", "hookWeight", "applications", "rawIssues", "moved", "generateName"}
	sets := make(map[string][]any, len(names))
	for _, n := range names {
		sets[n] = []any{}
	}
	add := func(name string, i int) { sets[name] = append(sets[name], i) }
	for i, o := range objs {
		f := facts[i]
		has := func(k string) bool { _, ok := f.Annotations[k]; return ok }
		if f.Hook {
			add("hooks", i)
		}
		if has(argocd.AnnotationHook) || has(argocd.AnnotationHelmHook) {
			add("hookAnnotated", i)
		}
		if has(argocd.AnnotationHookDeletePolicy) || has(argocd.AnnotationHelmDeletePolicy) {
			add("deletePolicy", i)
		}
		if has(argocd.AnnotationSyncOptions) {
			add("syncOptions", i)
		}
		if has(argocd.AnnotationHelmWeight) {
			add("hookWeight", i)
		}
		if o.Kind() == "Application" && argocd.Group(o.APIVersion()) == "argoproj.io" {
			add("applications", i)
		}
		if f.SyncWaveInvalid || f.AnnotationsDropped {
			add("rawIssues", i)
		}
		for _, s := range f.Steps {
			if s.Moved {
				add("moved", i)
				break
			}
		}
		if o.GenerateName() != "" && o.Name() == "" {
			add("generateName", i)
		}
	}
	out := make(map[string]any, len(sets))
	for k, v := range sets {
		out[k] = v
	}
	return out
}

// fullViewKinds are the kinds whose spec a built-in rule reads even when the object is not a
// hook (CRDs for cr-without-crd; workloads whose pod spec hook rules read).
var fullViewKinds = map[string]bool{"CustomResourceDefinition": true, "Pod": true, "Job": true, "CronJob": true}

// builtinView is the part of an object the built-in rules read: the whole object for hooks,
// objects with hook annotations and the kinds in fullViewKinds, and apiVersion, kind and
// metadata for every other object. Converting only that to AST is most of what makes
// evaluation cheap on large apps; user policies always get the whole object.
func builtinView(o render.Object, f argocd.Facts) map[string]any {
	if f.Hook || len(f.HookTypes) > 0 || len(f.HelmHookValues) > 0 || len(f.ArgoCDHookValues) > 0 ||
		len(f.DeleteHookTypes) > 0 || fullViewKinds[o.Kind()] {
		return o.Object
	}
	v := make(map[string]any, 3)
	for _, k := range []string{"apiVersion", "kind", "metadata"} {
		if x, ok := o.Object[k]; ok {
			v[k] = x
		}
	}
	return v
}
