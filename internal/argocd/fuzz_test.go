package argocd

import (
	"reflect"
	"testing"
)

// FuzzAnalyze feeds arbitrary annotation values (hook, hook-delete-policy, sync-wave,
// sync-options, compare-options, Helm hooks, tracking id) to the annotation and sync-option
// parsers: they must not panic and must be deterministic. Corpus: testdata/fuzz/FuzzAnalyze.
func FuzzAnalyze(f *testing.F) {
	f.Add("PreSync,Sync", "BeforeHookCreation,HookSucceeded", "-5", "Prune=false,ServerSideApply=true", "pre-install", "shop:apps/Deployment:web/api", "Job")
	f.Add("", "", "1.5", "Replace=true,,=", "post-delete,pre-upgrade", "x:y", "CustomResourceDefinition")
	f.Add("Skip", "HookFailed", "99999999999999999999", "Delete=confirm,Prune=confirm", "test", ":::/", "Pod")
	f.Fuzz(func(t *testing.T, hook, deletePolicy, wave, syncOptions, helmHook, trackingID, kind string) {
		obj := map[string]any{"apiVersion": "v1", "kind": kind, "metadata": map[string]any{
			"name": "x",
			"annotations": map[string]any{
				"argocd.argoproj.io/hook":               hook,
				"argocd.argoproj.io/hook-delete-policy": deletePolicy,
				"argocd.argoproj.io/sync-wave":          wave,
				"argocd.argoproj.io/sync-options":       syncOptions,
				"argocd.argoproj.io/compare-options":    syncOptions,
				"helm.sh/hook":                          helmHook,
				"helm.sh/hook-weight":                   wave,
				"helm.sh/hook-delete-policy":            deletePolicy,
				AnnotationTrackingID:                    trackingID,
			},
		}}
		a := Analyze(obj, Options{})
		b := Analyze(obj, Options{})
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("Analyze is not deterministic")
		}
		_ = LiveOwner(obj, TrackingAnnotation)
		_ = CSV(syncOptions)
	})
}
