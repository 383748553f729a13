package argocd

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/wavecheck/wavecheck/internal/manifest"
)

// This file holds the one copy of each Argo CD table wavecheck models. The Go analysis (facts.go,
// order.go) reads the variables; the built-in Rego rules read the same tables as
// data.wavecheck.argocd (TablesDocument), so no rule declares its own list of hook types,
// delete policies, sync options, phases or version gates.

// SyncPhases are the sync phases in execution order (gitops-engine pkg/sync/common
// SyncPhasePreSync..SyncPhaseSyncFail; sync_tasks.go sorts tasks by this order).
var syncPhases = []string{PhasePreSync, PhaseSync, PhasePostSync, PhaseSyncFail}

// phaseOrder ranks a phase as gitops-engine's syncPhaseOrder does (PreSync -1 ... SyncFail 2).
var phaseOrder = map[string]int{PhasePreSync: -1, PhaseSync: 0, PhasePostSync: 1, PhaseSyncFail: 2}

// PhaseOrder ranks a sync phase as gitops-engine sorts tasks (PreSync -1 ... SyncFail 2).
func PhaseOrder(phase string) int { return phaseOrder[phase] }

// syncHookTypes are the hook types gitops-engine's common.NewHookType accepts.
var syncHookTypes = []string{HookPreSync, HookSync, HookPostSync, HookSyncFail, HookSkip}

// deleteHookTypes are the Application deletion hook types of Argo CD's controller
// (controller/hook.go: PreDelete, PostDelete), from deleteHookKinds (facts.go).
var deleteHookTypes = func() []string {
	out := make([]string, 0, len(deleteHookKinds))
	for _, k := range deleteHookKinds {
		out = append(out, k.typ)
	}
	return out
}()

// helmHookTypes maps the Helm hook types gitops-engine understands (pkg/sync/hook/helm
// NewHookType) to Argo CD hook types.
var helmHookTypes = map[string]string{
	"pre-install":  HookPreSync,
	"pre-upgrade":  HookPreSync,
	"post-install": HookPostSync,
	"post-upgrade": HookPostSync,
}

// helmDeleteHookTypes maps the Helm deletion hooks Argo CD's controller reads
// (controller/hook.go) to its hook types, from deleteHookKinds.
var helmDeleteHookTypes = func() map[string]string {
	out := map[string]string{}
	for _, k := range deleteHookKinds {
		for _, kv := range k.values {
			if kv[0] == AnnotationHelmHook {
				out[kv[1]] = k.typ
			}
		}
	}
	return out
}()

// deletePolicies are the hook delete policies of gitops-engine (pkg/sync/common
// HookDeletePolicy).
var deletePolicies = []string{PolicyHookSucceeded, PolicyHookFailed, PolicyBeforeHookCreation}

// helmDeletePolicies maps Helm's delete policy spellings to Argo CD's (pkg/sync/hook/helm
// NewDeletePolicy).
var helmDeletePolicies = map[string]string{
	"before-hook-creation": PolicyBeforeHookCreation,
	"hook-succeeded":       PolicyHookSucceeded,
	"hook-failed":          PolicyHookFailed,
}

// resourceSyncOptions are the argocd.argoproj.io/sync-options values gitops-engine and Argo CD
// read on a resource (pkg/sync/common SyncOption*, Prune/Delete with false and confirm), plus
// the spellings of their defaults (harmless no-ops).
var resourceSyncOptions = []string{
	"Prune=false", "Prune=confirm", "Prune=true",
	"Delete=false", "Delete=confirm", "Delete=true",
	"Validate=false", "Validate=true",
	"SkipDryRunOnMissingResource=true", "SkipDryRunOnMissingResource=false",
	"PruneLast=true", "PruneLast=false",
	"Replace=true", "Replace=false",
	"ServerSideApply=true", "ServerSideApply=false",
	"Force=true", "Force=false",
}

// appSyncOptions are the sync options (names before "=") read only from the Application's
// spec.syncPolicy.syncOptions, never from a resource annotation.
var appSyncOptions = []string{
	"ApplyOutOfSyncOnly", "PrunePropagationPolicy", "CreateNamespace", "FailOnSharedResource",
	"RespectIgnoreDifferences", "ClientSideApplyMigration",
}

// hookTypeSince gates hook type values (both spellings) by the first Argo CD release that runs
// them, from deleteHookKinds.
var hookTypeSince = func() map[string]Version {
	out := map[string]Version{}
	for _, k := range deleteHookKinds {
		for _, kv := range k.values {
			out[kv[1]] = k.since
		}
	}
	return out
}()

// TrackingMethod is Argo CD's resource tracking method (argocd-cm
// application.resourceTrackingMethod; pkg/apis/application/v1alpha1 TrackingMethod).
type TrackingMethod string

// Tracking methods.
const (
	TrackingAnnotation         TrackingMethod = "annotation"
	TrackingLabel              TrackingMethod = "label"
	TrackingAnnotationAndLabel TrackingMethod = "annotation+label"
)

var trackingMethods = []TrackingMethod{TrackingAnnotation, TrackingLabel, TrackingAnnotationAndLabel}

// AnnotationTrackingDefaultSince is the first release whose default tracking method is
// annotation (util/settings GetTrackingMethod returns "annotation" when argocd-cm sets none;
// docs/operator-manual/upgrading/2.14-3.0.md "Use Annotation-Based Tracking by Default").
// Before it the default was label.
var AnnotationTrackingDefaultSince = Version{Major: 3}

// DefaultTrackingMethod is the tracking method an Argo CD version uses when argocd-cm sets
// none.
func DefaultTrackingMethod(v Version) TrackingMethod {
	if v == (Version{}) {
		v = Latest
	}
	if v.AtLeast(AnnotationTrackingDefaultSince) {
		return TrackingAnnotation
	}
	return TrackingLabel
}

// annotationTrackingMethods are the methods that write the tracking annotation.
var annotationTrackingMethods = []TrackingMethod{TrackingAnnotation, TrackingAnnotationAndLabel}

// ParseTrackingMethod accepts annotation, label or annotation+label (as argocd-cm spells them).
func ParseTrackingMethod(s string) (TrackingMethod, error) {
	m := TrackingMethod(strings.TrimSpace(s))
	if slices.Contains(trackingMethods, m) {
		return m, nil
	}
	return "", fmt.Errorf("parse tracking method: %q is not annotation, label or annotation+label", s)
}

// TrackingMethods lists the tracking methods, for flag help and errors.
func TrackingMethods() []string {
	out := make([]string, len(trackingMethods))
	for i, m := range trackingMethods {
		out[i] = string(m)
	}
	return out
}

// TracksByAnnotation reports whether Argo CD writes its tracking annotation
// (argocd.argoproj.io/tracking-id) on rendered objects. It does with annotation and
// annotation+label tracking (util/argo/resource_tracking.go SetAppInstance), reading the
// existing annotations with kube.SetAppInstanceAnnotation, which fails on a non-string value:
// the repo-server then refuses the whole manifest ("failed to set app instance tracking info on
// manifest", reposerver/repository/repository.go). CRDs are never tracked (!kube.IsCRD).
func (m TrackingMethod) TracksByAnnotation() bool {
	return slices.Contains(annotationTrackingMethods, m)
}

// TrackingRefusal returns, for the first object Argo CD's repo-server refuses under tracking
// method m (annotation tracking and an annotation value that is not a string, null included,
// or annotations that are not a map; CRDs are never tracked), the ComparisonError text the
// Application shows, and "" when nothing is refused (reposerver/repository/repository.go:
// "failed to set app instance tracking info on manifest: %w").
func TrackingRefusal(objs []manifest.Object, m TrackingMethod) string {
	if m == "" {
		m = DefaultTrackingMethod(Latest)
	}
	if !m.TracksByAnnotation() {
		return ""
	}
	for _, o := range objs {
		if o.Kind() == "CustomResourceDefinition" && Group(o.APIVersion()) == "apiextensions.k8s.io" {
			continue
		}
		f := Analyze(o.Object, Options{})
		if !f.TrackingRefused() {
			continue
		}
		what := "metadata.annotations is not a map"
		if keys := append(slices.Clone(f.NonStringAnnotations), f.NullAnnotations...); len(keys) > 0 {
			slices.Sort(keys)
			what = fmt.Sprintf("contains non-string value in the map under key %q", keys[0])
		}
		return fmt.Sprintf("failed to set app instance tracking info on manifest: %s (%s): %s; with %s tracking Argo CD refuses the whole app and nothing syncs", o.Ref(), o.Location(), what, m)
	}
	return ""
}

// VersionDocument is a version as the Rego rules see it: {major, minor, patch, string}.
func VersionDocument(v Version) map[string]any {
	return map[string]any{"major": v.Major, "minor": v.Minor, "patch": v.Patch, "string": v.String()}
}

// TablesDocument returns the tables as a JSON-compatible document: what the built-in rules read
// as data.wavecheck.argocd (docs/policy.md). Each call returns a fresh copy.
func TablesDocument() map[string]any {
	since := make(map[string]any, len(hookTypeSince))
	for k, v := range hookTypeSince {
		since[k] = VersionDocument(v)
	}
	order := make(map[string]any, len(phaseOrder))
	for k, v := range phaseOrder {
		order[k] = v
	}
	return map[string]any{
		"latest":              VersionDocument(Latest),
		"syncPhases":          strs(syncPhases),
		"phaseOrder":          order,
		"syncHookTypes":       strs(syncHookTypes),
		"deleteHookTypes":     strs(deleteHookTypes),
		"hookTypes":           strs(append(slices.Clone(syncHookTypes), deleteHookTypes...)),
		"helmHookTypes":       strmap(helmHookTypes),
		"helmDeleteHookTypes": strmap(helmDeleteHookTypes),
		"deletePolicies":      strs(deletePolicies),
		"helmDeletePolicies":  strmap(helmDeletePolicies),
		"resourceSyncOptions": strs(resourceSyncOptions),
		"appSyncOptions":      strs(appSyncOptions),
		"hookTypeSince":       since,
		"hookFinalizerSince":  VersionDocument(HookFinalizerSince),
		"trackingMethods":     strs(TrackingMethods()),
		"annotationTrackingMethods": []any{
			string(annotationTrackingMethods[0]), string(annotationTrackingMethods[1]),
		},
		"trackingDefault": map[string]any{
			"since":   VersionDocument(AnnotationTrackingDefaultSince),
			"current": string(DefaultTrackingMethod(AnnotationTrackingDefaultSince)),
			"before":  string(TrackingLabel),
		},
	}
}

func strs(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

func strmap(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out[k] = m[k]
	}
	return out
}
