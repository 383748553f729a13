package argocd

import (
	"fmt"
	"slices"
	"strings"
)

// This file turns Facts into the one-line explanations `wavecheck plan` prints in its note
// column: why Argo CD never applies an object, and where what it reads differs from what the
// object says. The facts are those of Analyze (the lint's rules read the same facts; the notes
// do not re-run them).

// NeverApplied returns why a sync never applies the object, or "" when it does.
func (f Facts) NeverApplied() string {
	switch {
	case f.Superseded:
		return "a later object has the same kind, namespace and name: Argo CD keeps only the last (controller/state.go NormalizeTargetObjects)"
	case f.DeletionOnly:
		return fmt.Sprintf("app deletion only (%s): Argo CD strips it from syncs (controller/state.go partitionTargetObjsForSync)", strings.Join(f.DeleteHookTypes, ","))
	case len(f.SyncDroppedPhases) > 0:
		return fmt.Sprintf("deletion hook with sync phase %s: this Argo CD version drops every deletion hook from syncs (v3.3.0-v3.3.4 CompareAppState)", strings.Join(f.SyncDroppedPhases, ","))
	case f.Skip:
		return "hook Skip: Argo CD never applies it (gitops-engine hook.Skip)"
	case len(f.SyncPhases) > 0:
		return ""
	}
	// a hook (gitops-engine hook.IsHook) whose types give no sync phase
	if unknown := f.unknownHookValues(); len(unknown) > 0 {
		return fmt.Sprintf("unknown hook type %s (want %s): a hook without a phase is never applied",
			quoteAll(unknown), strings.Join(append(slices.Clone(syncHookTypes), deleteHookTypes...), ", "))
	}
	if len(f.HelmHookValues) > 0 {
		return fmt.Sprintf("Helm hook %s has no Argo CD phase (only pre/post-install/upgrade map to PreSync/PostSync): never applied", quoteAll(f.HelmHookValues))
	}
	return "a hook without a sync phase: never applied"
}

// NeverAppliedAt is NeverApplied for a target Argo CD version: when the object is never
// applied and one of its hook types is newer than the target (PostDelete before 2.10,
// PreDelete before 3.3: hookTypeSince), that is the reason given.
func (f Facts) NeverAppliedAt(v Version) string {
	why := f.NeverApplied()
	if why == "" {
		return ""
	}
	if newer := f.NewerHookTypes(v); len(newer) > 0 {
		return strings.Join(newer, "; ") + ": the hook never runs"
	}
	return why
}

// NotesAt is Notes plus, for an object that is applied, the hook types the target version
// does not know (ignored there).
func (f Facts) NotesAt(v Version) []string {
	out := f.Notes()
	if f.NeverApplied() == "" {
		for _, n := range f.NewerHookTypes(v) {
			out = append(out, n+": ignored by the target version")
		}
	}
	return out
}

// NewerHookTypes describes the hook values that need a newer Argo CD than v (hookTypeSince).
func (f Facts) NewerHookTypes(v Version) []string {
	var out []string
	for _, val := range append(slices.Clone(f.ArgoCDHookValues), f.HelmHookValues...) {
		if since, ok := hookTypeSince[val]; ok && !v.AtLeast(since) {
			out = append(out, fmt.Sprintf("hook type %q needs Argo CD >= %d.%d (target %s)", val, since.Major, since.Minor, v))
		}
	}
	return out
}

// Notes returns where Argo CD reads the object differently from what it says (dropped
// annotations, an invalid wave, an unknown hook type or delete policy next to valid ones).
func (f Facts) Notes() []string {
	var out []string
	switch {
	case f.AnnotationsDropped:
		out = append(out, fmt.Sprintf("annotations dropped (non-string value of %s): Argo CD reads none of them, so no hook, wave or option applies; annotation tracking (the 3.x default) refuses the whole app",
			strings.Join(f.NonStringAnnotations, ", ")))
	case len(f.NullAnnotations) > 0:
		out = append(out, fmt.Sprintf("null annotation %s: read as \"\", but annotation tracking (the 3.x default) refuses the whole app", strings.Join(f.NullAnnotations, ", ")))
	case f.AnnotationsNotMap:
		out = append(out, "metadata.annotations is not a map: Argo CD reads no annotations; annotation tracking (the 3.x default) refuses the whole app")
	}
	if f.SyncWaveInvalid {
		out = append(out, fmt.Sprintf("sync-wave %q is not an integer: wave %d (%s)", f.Annotations[AnnotationSyncWave], f.Wave, f.WaveSource))
	}
	if f.HookWeightInvalid && f.WaveSource != "sync-wave" {
		out = append(out, fmt.Sprintf("helm.sh/hook-weight %q is not an integer: wave %d", f.Annotations[AnnotationHelmWeight], f.Wave))
	}
	if len(f.SyncPhases) > 0 {
		if unknown := f.unknownHookValues(); len(unknown) > 0 {
			out = append(out, fmt.Sprintf("unknown hook type %s ignored", quoteAll(unknown)))
		}
	}
	if f.Hook && len(f.SyncPhases) > 0 {
		if bad := f.unknownPolicies(); len(bad) > 0 {
			out = append(out, fmt.Sprintf("delete policy %s ignored: %s", quoteAll(bad), strings.Join(f.DeletePolicies, ",")))
		}
	}
	return out
}

// unknownHookValues are the argocd.argoproj.io/hook values no Argo CD component reads.
func (f Facts) unknownHookValues() []string {
	var out []string
	for _, v := range f.ArgoCDHookValues {
		if !slices.Contains(syncHookTypes, v) && !slices.Contains(deleteHookTypes, v) {
			out = append(out, v)
		}
	}
	return out
}

// unknownPolicies are the delete policy values (Argo CD or Helm spelling) gitops-engine ignores.
func (f Facts) unknownPolicies() []string {
	var out []string
	for _, v := range CSV(f.Annotations[AnnotationHookDeletePolicy]) {
		if !slices.Contains(deletePolicies, v) {
			out = append(out, v)
		}
	}
	for _, v := range CSV(f.Annotations[AnnotationHelmDeletePolicy]) {
		if _, ok := helmDeletePolicies[v]; !ok {
			out = append(out, v)
		}
	}
	return out
}

func quoteAll(vs []string) string {
	q := make([]string, len(vs))
	for i, v := range vs {
		q[i] = fmt.Sprintf("%q", v)
	}
	return strings.Join(q, ", ")
}
