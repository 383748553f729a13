package engine

import (
	"fmt"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/argoproj/argo-cd/gitops-engine/v3/pkg/sync/common"
	"github.com/argoproj/argo-cd/gitops-engine/v3/pkg/sync/hook"
	"github.com/wavecheck/wavecheck/internal/manifest"
)

// object is one manifest of the replay.
type object struct {
	u   *unstructured.Unstructured
	src manifest.Source
}

// convert turns rendered objects into unstructured objects carrying the tracking label.
func convert(objs []manifest.Object, appName string) ([]object, error) {
	out := make([]object, 0, len(objs))
	for _, o := range objs {
		if o.APIVersion() == "" || o.Kind() == "" {
			return nil, fmt.Errorf("convert %s (%s): apiVersion and kind are required", o.Ref(), o.Location())
		}
		m, ok := runtime.DeepCopyJSONValue(o.Object).(map[string]any)
		if !ok {
			return nil, fmt.Errorf("convert %s (%s): not an object", o.Ref(), o.Location())
		}
		u := &unstructured.Unstructured{Object: m}
		if err := unstructured.SetNestedField(u.Object, appName, "metadata", "labels", TrackingLabel); err != nil {
			return nil, fmt.Errorf("convert %s (%s): metadata.labels: %w", o.Ref(), o.Source, err)
		}
		out = append(out, object{u: u, src: o.Source})
	}
	return out, nil
}

// deletionHookTypes returns the app-deletion hook types (PreDelete, PostDelete) of obj, read as
// Argo CD's controller reads them (argocd.argoproj.io/hook or helm.sh/hook, comma-separated).
func deletionHookTypes(obj *unstructured.Unstructured) []string {
	var types []string
	ann := obj.GetAnnotations()
	for _, v := range strings.Split(ann[common.AnnotationKeyHook], ",") {
		switch strings.TrimSpace(v) {
		case "PreDelete", "PostDelete":
			types = append(types, strings.TrimSpace(v))
		}
	}
	for _, v := range strings.Split(ann["helm.sh/hook"], ",") {
		switch strings.TrimSpace(v) {
		case "pre-delete":
			types = append(types, "PreDelete")
		case "post-delete":
			types = append(types, "PostDelete")
		}
	}
	slices.Sort(types)
	return slices.Compact(types)
}

// hasSyncPhase reports whether gitops-engine runs obj in a sync phase (Argo CD's
// hasGitOpsEngineSyncPhaseHook).
func hasSyncPhase(obj *unstructured.Unstructured) bool {
	for _, t := range hook.Types(obj) {
		switch t {
		case common.HookTypePreSync, common.HookTypeSync, common.HookTypePostSync, common.HookTypeSyncFail:
			return true
		}
	}
	return false
}

// isDeletionHook reports whether obj only runs at app deletion: Argo CD strips it from syncs.
func isDeletionHook(obj *unstructured.Unstructured) bool {
	return len(deletionHookTypes(obj)) > 0 && !hasSyncPhase(obj)
}

// open converts the rendered objects, splits off the app-deletion hooks and opens the cluster
// backend with every object. The caller closes the backend.
func open(objs []manifest.Object, opts Options) (syncObjs, deletionHooks []object, b backend, err error) {
	all, err := convert(objs, opts.AppName)
	if err != nil {
		return nil, nil, nil, err
	}
	syncObjs, deletionHooks = split(all)
	if b, err = opts.Cluster.open(all, opts); err != nil {
		return nil, nil, nil, err
	}
	return syncObjs, deletionHooks, b, nil
}

// split separates the objects of a sync from the app-deletion hooks.
func split(objs []object) (syncObjs, deletionHooks []object) {
	for _, o := range objs {
		if isDeletionHook(o.u) {
			deletionHooks = append(deletionHooks, o)
		} else {
			syncObjs = append(syncObjs, o)
		}
	}
	return syncObjs, deletionHooks
}

func unstructuredOf(objs []object) []*unstructured.Unstructured {
	out := make([]*unstructured.Unstructured, len(objs))
	for i, o := range objs {
		out[i] = o.u
	}
	return out
}
