// Package argocd computes, for rendered objects, what Argo CD's controller and gitops-engine
// derive from their annotations: hook types, sync phases, waves, delete policies, sync options,
// and the effective phase and wave after Argo CD moves Namespaces and CRDs before their first
// dependant. It is pure Go (it does not import gitops-engine) and mirrors gitops-engine v3.6.1
// (pkg/sync/hook, pkg/sync/syncwaves, pkg/sync/sync_tasks.go) and Argo CD's controller/hook.go.
package argocd

import (
	"slices"
	"strconv"
	"strings"
)

// Annotation keys read by Argo CD.
const (
	AnnotationHook             = "argocd.argoproj.io/hook"
	AnnotationHookDeletePolicy = "argocd.argoproj.io/hook-delete-policy"
	AnnotationSyncWave         = "argocd.argoproj.io/sync-wave"
	AnnotationSyncOptions      = "argocd.argoproj.io/sync-options"
	AnnotationCompareOptions   = "argocd.argoproj.io/compare-options"
	AnnotationHelmHook         = "helm.sh/hook"
	AnnotationHelmWeight       = "helm.sh/hook-weight"
	AnnotationHelmDeletePolicy = "helm.sh/hook-delete-policy"
	AnnotationHelmResource     = "helm.sh/resource-policy"
)

// Sync phases, in execution order.
const (
	PhasePreSync  = "PreSync"
	PhaseSync     = "Sync"
	PhasePostSync = "PostSync"
	PhaseSyncFail = "SyncFail"
)

// Hook types. PreDelete and PostDelete are run by Argo CD's controller when the Application
// is deleted, not by gitops-engine during a sync.
const (
	HookPreSync    = "PreSync"
	HookSync       = "Sync"
	HookPostSync   = "PostSync"
	HookSyncFail   = "SyncFail"
	HookSkip       = "Skip"
	HookPreDelete  = "PreDelete"
	HookPostDelete = "PostDelete"
)

// Delete policies.
const (
	PolicyHookSucceeded      = "HookSucceeded"
	PolicyHookFailed         = "HookFailed"
	PolicyBeforeHookCreation = "BeforeHookCreation"
)

// IgnoredDeleteHook is a deletion hook type listed in a hook annotation whose value the target
// Argo CD version compares as a whole.
type IgnoredDeleteHook struct {
	Key   string `json:"key"`   // annotation key
	Value string `json:"value"` // whole annotation value
	Type  string `json:"type"`  // PreDelete or PostDelete
	Item  string `json:"item"`  // the listed item (PreDelete, pre-delete, PostDelete, post-delete)
}

// deleteHookKinds is controller/hook.go hookTypeAnnotations: the annotation values marking each
// Application deletion hook type, and the first release running it.
var deleteHookKinds = []struct {
	typ    string
	since  Version
	values [2][2]string // {annotation key, value}
}{
	{HookPreDelete, PreDeleteSince, [2][2]string{{AnnotationHook, HookPreDelete}, {AnnotationHelmHook, "pre-delete"}}},
	{HookPostDelete, PostDeleteSince, [2][2]string{{AnnotationHook, HookPostDelete}, {AnnotationHelmHook, "post-delete"}}},
}

// deleteHooks returns the deletion hook types controller/hook.go isHookOfType finds at version
// ver, and the listed types it ignores because it compares whole values (before v3.3.3).
func deleteHooks(ann map[string]string, ver Version) (types []string, ignored []IgnoredDeleteHook) {
	split := ver.AtLeast(DeleteHookListSince)
	for _, k := range deleteHookKinds {
		if !ver.AtLeast(k.since) {
			continue
		}
		found := false
		for _, kv := range k.values {
			val, ok := ann[kv[0]]
			if !ok {
				continue
			}
			switch {
			case val == kv[1] || split && slices.Contains(CSV(val), kv[1]):
				found = true
			case slices.Contains(CSV(val), kv[1]):
				ignored = append(ignored, IgnoredDeleteHook{Key: kv[0], Value: val, Type: k.typ, Item: kv[1]})
			}
		}
		if found {
			types = append(types, k.typ)
			// The controller ignores nothing of a type it found by another key.
			ignored = slices.DeleteFunc(ignored, func(i IgnoredDeleteHook) bool { return i.Type == k.typ })
		}
	}
	return types, ignored
}

// Step is one place in the sync where Argo CD applies an object: a phase and a wave.
type Step struct {
	Phase string `json:"phase"`
	Wave  int    `json:"wave"`
	// Moved is set when Argo CD moved a Namespace or CRD before its first dependant, giving it
	// that dependant's phase and wave; Before names the dependant ("Kind/name") and
	// DeclaredPhase/DeclaredWave are what the object's own annotations give.
	Moved         bool   `json:"moved,omitempty"`
	Before        string `json:"before,omitempty"`
	DeclaredPhase string `json:"declaredPhase,omitempty"`
	DeclaredWave  int    `json:"declaredWave,omitempty"`
}

// Facts is what Argo CD derives from one object.
type Facts struct {
	// Annotations as Argo CD reads them: nil when any value is not a string (unstructured
	// GetAnnotations drops the whole map), else every annotation.
	Annotations map[string]string `json:"annotations"`
	// NonStringAnnotations lists the keys whose values are not strings (sorted).
	NonStringAnnotations []string `json:"nonStringAnnotations"`
	// AnnotationsDropped is set when NonStringAnnotations is not empty.
	AnnotationsDropped bool `json:"annotationsDropped"`
	// NullAnnotations lists the keys whose values are null (an empty YAML value), sorted.
	// GetAnnotations reads them as "", but the repo-server's annotation tracking
	// (util/kube.SetAppInstanceAnnotation -> nestedNullableStringMap -> NestedStringMap)
	// refuses them like any other non-string value, failing the whole app.
	NullAnnotations []string `json:"nullAnnotations"`
	// AnnotationsNotMap is set when metadata.annotations is present, not null and not a map
	// (a list, a string): GetAnnotations reads no annotations, annotation tracking refuses it.
	AnnotationsNotMap bool `json:"annotationsNotMap"`

	// Hook is the controller's isHook: gitops-engine's IsHook or a deletion hook.
	Hook bool `json:"hook"`
	// GitOpsEngineHook is gitops-engine's hook.IsHook alone (the hook annotation is present and
	// not a lone Skip, or helm.sh/hook is present and not crd-install).
	GitOpsEngineHook bool `json:"gitopsEngineHook"`
	// Skip is set when the hook annotation is exactly Skip: the object is never applied.
	Skip bool `json:"skip"`
	// HookTypes are the hook types gitops-engine uses: the valid Argo CD types, or, when there
	// is none, the Helm types mapped to Argo CD types.
	HookTypes []string `json:"hookTypes"`
	// ArgoCDHookValues and HelmHookValues are the raw comma-separated values (trimmed,
	// de-duplicated) of argocd.argoproj.io/hook and helm.sh/hook.
	ArgoCDHookValues []string `json:"argocdHookValues"`
	HelmHookValues   []string `json:"helmHookValues"`
	// DeleteHookTypes are PreDelete/PostDelete when Argo CD's controller treats the object as
	// an Application deletion hook (controller/hook.go isPreDeleteHook/isPostDeleteHook at the
	// target version: whole-value match before DeleteHookListSince, comma-separated items since).
	DeleteHookTypes []string `json:"deleteHookTypes"`
	// IgnoredDeleteHooks are deletion hook types an annotation lists that the target version's
	// controller does not see because it compares the whole value (before DeleteHookListSince).
	IgnoredDeleteHooks []IgnoredDeleteHook `json:"ignoredDeleteHooks"`
	// DeletionOnly is set when the controller keeps the object out of syncs and runs it only
	// when the Application is deleted.
	DeletionOnly bool `json:"deletionOnly"`
	// FinalizerHookTypes are the deletion hook types for which this object makes the
	// controller put its pre-/post-delete finalizer on the Application; a stage runs only when
	// some object of the app sets it. controller/state.go partitionTargetObjsForSync checks
	// isPreDeleteHook first and, for a PreDelete hook it keeps out of syncs, skips the
	// PostDelete check (`continue`), so a deletion-only "PreDelete,PostDelete" hook sets only
	// PreDelete (from v3.3.0; before, PostDelete was checked on every object).
	FinalizerHookTypes []string `json:"finalizerHookTypes"`
	// SyncDroppedPhases are the sync phases gitops-engine would run a deletion hook in, which
	// the target version's controller drops (v3.3.0 to v3.3.4 keep every deletion hook out of
	// syncs; see DeleteHookSyncKeptSince).
	SyncDroppedPhases []string `json:"syncDroppedPhases"`
	// SyncPhases are the phases the object is applied in (none for skipped objects and hooks
	// without a sync hook type), in phase order.
	SyncPhases []string `json:"syncPhases"`

	// Wave is the declared wave: sync-wave when strconv.Atoi accepts it, else
	// helm.sh/hook-weight when Atoi accepts it, else 0. WaveSource says which: "sync-wave",
	// "hook-weight" or "default".
	Wave       int    `json:"wave"`
	WaveSource string `json:"waveSource"`
	// SyncWaveInvalid and HookWeightInvalid are set when the annotation is a string that
	// strconv.Atoi rejects (whether or not the annotations were dropped).
	SyncWaveInvalid   bool `json:"syncWaveInvalid"`
	HookWeightInvalid bool `json:"hookWeightInvalid"`

	// DeletePolicies are the combined Argo CD and Helm delete policies, BeforeHookCreation when
	// none is valid (DeletePoliciesDefaulted).
	DeletePolicies          []string `json:"deletePolicies"`
	DeletePoliciesDefaulted bool     `json:"deletePoliciesDefaulted"`

	// SyncOptions and CompareOptions are the comma-separated values (trimmed, de-duplicated).
	SyncOptions    []string `json:"syncOptions"`
	CompareOptions []string `json:"compareOptions"`

	// Superseded is set when a later object has the same group, kind, namespace and name:
	// Argo CD keeps only the last (controller/state.go NormalizeTargetObjects), so this one is
	// never applied (set by Plan).
	Superseded bool `json:"superseded"`

	// Steps are the effective phase/wave of each sync task of the object, after Namespace and
	// CRD moves (set by Analyze; empty when the object is never applied by a sync).
	Steps []Step `json:"steps"`
	// Phase and EffectiveWave are those of the first step ("" and 0 when there is none).
	Phase         string `json:"phase"`
	EffectiveWave int    `json:"effectiveWave"`
}

// Options tune the analysis.
type Options struct {
	// Version is the target Argo CD version (zero means Latest).
	Version Version
	// Namespace is the Application's destination namespace: Argo CD puts objects without a
	// namespace in it before ordering (this matters for the Namespace move).
	Namespace string
}

func (o Options) version() Version {
	if o.Version == (Version{}) {
		return Latest
	}
	return o.Version
}

// Annotations returns the annotations as Argo CD sees them and the keys of non-string values,
// as unstructured.GetAnnotations (apimachinery v0.37 NestedNullCoercingStringMap) reads them:
// a null value is the empty string, and when any other value is not a string the map is nil.
func Annotations(obj map[string]any) (map[string]string, []string) {
	md, _ := obj["metadata"].(map[string]any)
	raw, ok := md["annotations"]
	if !ok || raw == nil {
		return nil, nil
	}
	m, ok := raw.(map[string]any)
	if !ok {
		return nil, nil
	}
	out := make(map[string]string, len(m))
	var bad []string
	for k, v := range m {
		s, ok := v.(string)
		if !ok && v != nil {
			bad = append(bad, k)
			continue
		}
		out[k] = s
	}
	if len(bad) > 0 {
		slices.Sort(bad)
		return nil, bad
	}
	return out, nil
}

// nullAnnotations returns the sorted keys of metadata.annotations whose values are null.
func nullAnnotations(obj map[string]any) []string {
	md, _ := obj["metadata"].(map[string]any)
	m, _ := md["annotations"].(map[string]any)
	var keys []string
	for k, v := range m {
		if v == nil {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

// annotationsNotMap reports whether metadata.annotations is set to something other than a map.
func annotationsNotMap(obj map[string]any) bool {
	md, _ := obj["metadata"].(map[string]any)
	v, ok := md["annotations"]
	if !ok || v == nil {
		return false
	}
	_, isMap := v.(map[string]any)
	return !isMap
}

// TrackingRefused reports whether Argo CD's annotation-based resource tracking refuses the
// object (util/kube.SetAppInstanceAnnotation fails): an annotation value that is not a string,
// null included. CRDs are never tracked (reposerver/repository: !kube.IsCRD).
func (f Facts) TrackingRefused() bool {
	return len(f.NonStringAnnotations) > 0 || len(f.NullAnnotations) > 0 || f.AnnotationsNotMap
}

// CSV splits an annotation value as gitops-engine's GetAnnotationCSVs does: by comma, trimmed,
// empty items dropped, duplicates removed, order kept.
func CSV(value string) []string {
	var out []string
	for item := range strings.SplitSeq(value, ",") {
		v := strings.TrimSpace(item)
		if v == "" || slices.Contains(out, v) {
			continue
		}
		out = append(out, v)
	}
	return out
}

// Atoi reports whether strconv.Atoi accepts s, and its value.
func Atoi(s string) (int, bool) {
	v, err := strconv.Atoi(s)
	return v, err == nil
}

// Analyze computes the facts of one object, without the effective steps (which need the
// whole object set: see AnalyzeAll).
func Analyze(obj map[string]any, opts Options) Facts {
	ann, bad := Annotations(obj)
	f := Facts{
		Annotations:          ann,
		NonStringAnnotations: bad,
		AnnotationsDropped:   len(bad) > 0,
		NullAnnotations:      nullAnnotations(obj),
		AnnotationsNotMap:    annotationsNotMap(obj),
	}
	ver := opts.version()

	hookValue, hasHook := ann[AnnotationHook]
	helmValue, hasHelm := ann[AnnotationHelmHook]
	f.ArgoCDHookValues = CSV(hookValue)
	f.HelmHookValues = CSV(helmValue)

	for _, v := range f.ArgoCDHookValues {
		if slices.Contains(syncHookTypes, v) {
			f.HookTypes = append(f.HookTypes, v)
		}
	}
	if len(f.HookTypes) == 0 {
		for _, v := range f.HelmHookValues {
			if t, ok := helmHookTypes[v]; ok {
				f.HookTypes = append(f.HookTypes, t)
			}
		}
	}
	// gitops-engine hook.Skip: Skip is the only type.
	f.Skip = slices.Contains(f.HookTypes, HookSkip) && len(f.HookTypes) == 1
	f.DeleteHookTypes, f.IgnoredDeleteHooks = deleteHooks(ann, ver)
	// gitops-engine hook.IsHook: the Argo CD annotation is present and not a skip, or a Helm
	// hook other than crd-install.
	if hasHook {
		f.Hook = !f.Skip
	} else {
		f.Hook = hasHelm && helmValue != "crd-install"
	}
	f.GitOpsEngineHook = f.Hook
	if len(f.DeleteHookTypes) > 0 {
		f.Hook = true
	}

	switch {
	case f.Skip:
	case f.Hook:
		for _, p := range syncPhases {
			if slices.Contains(f.HookTypes, p) {
				f.SyncPhases = append(f.SyncPhases, p)
			}
		}
	default:
		f.SyncPhases = []string{PhaseSync}
	}
	f.FinalizerHookTypes = f.DeleteHookTypes
	engineSyncPhase := slices.ContainsFunc(f.HookTypes, func(t string) bool { return t != HookSkip })
	if slices.Contains(f.DeleteHookTypes, HookPreDelete) && slices.Contains(f.DeleteHookTypes, HookPostDelete) &&
		ver.AtLeast(DeleteHooksOutOfSyncSince) && (!ver.AtLeast(DeleteHookSyncKeptSince) || !engineSyncPhase) {
		f.FinalizerHookTypes = []string{HookPreDelete}
	}
	if len(f.DeleteHookTypes) > 0 && len(f.SyncPhases) > 0 &&
		ver.AtLeast(DeleteHooksOutOfSyncSince) && !ver.AtLeast(DeleteHookSyncKeptSince) {
		// v3.3.0-v3.3.4 controller/state.go CompareAppState skips every isPreDeleteHook or
		// isPostDeleteHook object when it builds the sync targets.
		f.SyncDroppedPhases, f.SyncPhases = f.SyncPhases, nil
	}
	// v3.3.5+ controller/state.go partitionTargetObjsForSync keeps a deletion hook in syncs only
	// when hasGitOpsEngineSyncPhaseHook (hook.Types has PreSync, Sync, PostSync or SyncFail).
	f.DeletionOnly = len(f.DeleteHookTypes) > 0 && len(f.SyncPhases) == 0

	f.WaveSource = "default"
	if v, ok := ann[AnnotationSyncWave]; ok {
		if w, ok := Atoi(v); ok {
			f.Wave, f.WaveSource = w, "sync-wave"
		}
	}
	if f.WaveSource == "default" {
		if v, ok := ann[AnnotationHelmWeight]; ok {
			if w, ok := Atoi(v); ok {
				f.Wave, f.WaveSource = w, "hook-weight"
			}
		}
	}

	for _, v := range CSV(ann[AnnotationHookDeletePolicy]) {
		if slices.Contains(deletePolicies, v) {
			f.DeletePolicies = append(f.DeletePolicies, v)
		}
	}
	for _, v := range CSV(ann[AnnotationHelmDeletePolicy]) {
		if p, ok := helmDeletePolicies[v]; ok {
			f.DeletePolicies = append(f.DeletePolicies, p)
		}
	}
	if len(f.DeletePolicies) == 0 {
		f.DeletePolicies = []string{PolicyBeforeHookCreation}
		f.DeletePoliciesDefaulted = true
	}

	md, _ := obj["metadata"].(map[string]any)
	raw, _ := md["annotations"].(map[string]any)
	f.SyncWaveInvalid = invalidInt(raw, AnnotationSyncWave)
	f.HookWeightInvalid = invalidInt(raw, AnnotationHelmWeight)

	f.SyncOptions = CSV(ann[AnnotationSyncOptions])
	f.CompareOptions = CSV(ann[AnnotationCompareOptions])
	return f
}

// invalidInt reports whether the raw annotation key is a string (or null, read as "") that
// strconv.Atoi rejects.
func invalidInt(raw map[string]any, key string) bool {
	v, ok := raw[key]
	if !ok {
		return false
	}
	s, isString := v.(string)
	if !isString && v != nil {
		return false
	}
	_, valid := Atoi(s)
	return !valid
}

// HasSyncOption reports whether the sync-options annotation lists opt, as gitops-engine's
// resourceutil.HasAnnotationOption(obj, "argocd.argoproj.io/sync-options", opt) does
// (e.g. "PruneLast=true", "Replace=true", "ServerSideApply=true", "Validate=false").
func (f Facts) HasSyncOption(opt string) bool { return slices.Contains(f.SyncOptions, opt) }

// SyncOptionValue returns the value of the first "key=value" item of the sync-options
// annotation, as resourceutil.GetAnnotationOptionValue does (the controller reads Prune and
// Delete this way: "Prune=false", "Delete=confirm").
func (f Facts) SyncOptionValue(key string) (string, bool) { return OptionValue(f.SyncOptions, key) }

// OptionValue returns the value of the first "key=value" item of a sync option list: the one
// rule of gitops-engine's resourceutil.GetAnnotationOptionValue (a resource's annotation) and
// of SyncOptions.GetOptionValue (pkg/apis/application/v1alpha1, the Application's
// syncPolicy.syncOptions), which match the prefix "key=" alike.
func OptionValue(items []string, key string) (string, bool) {
	for _, item := range items {
		if v, ok := strings.CutPrefix(item, key+"="); ok {
			return v, true
		}
	}
	return "", false
}

// HasCompareOption reports whether the compare-options annotation lists opt (e.g.
// "IgnoreExtraneous", "ServerSideDiff=true"), as resourceutil.HasAnnotationOption does.
func (f Facts) HasCompareOption(opt string) bool { return slices.Contains(f.CompareOptions, opt) }
