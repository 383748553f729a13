package engine

import (
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/wavecheck/wavecheck/internal/argocd"
	"github.com/wavecheck/wavecheck/internal/manifest"
)

// object is one manifest of the replay.
type object struct {
	u   *unstructured.Unstructured
	src manifest.Source
	idx int // index in the rendered objects
}

// convert turns rendered objects into unstructured objects carrying the tracking label.
func convert(objs []manifest.Object, appName string) ([]object, error) {
	out := make([]object, 0, len(objs))
	for i, o := range objs {
		if o.APIVersion() == "" || o.Kind() == "" {
			return nil, fmt.Errorf("convert %s (%s): apiVersion and kind are required", o.Ref(), o.Location())
		}
		m, ok := runtime.DeepCopyJSONValue(o.Object).(map[string]any)
		if !ok {
			return nil, fmt.Errorf("convert %s (%s): not an object", o.Ref(), o.Location())
		}
		nullMetadataMaps(m)
		u := &unstructured.Unstructured{Object: m}
		if err := unstructured.SetNestedField(u.Object, appName, "metadata", "labels", TrackingLabel); err != nil {
			return nil, fmt.Errorf("convert %s (%s): metadata.labels: %w", o.Ref(), o.Source, err)
		}
		out = append(out, object{u: u, src: o.Source, idx: i})
	}
	return out, nil
}

// nullMetadataMaps removes a null metadata, metadata.labels or metadata.annotations (common in
// Helm output: `labels: {{ .Values.labels }}` with no labels), which the API server reads as
// absent, as Argo CD does (util/kube.nestedNullableStringMap treats a null map as none before
// SetAppInstanceLabel sets the tracking label).
func nullMetadataMaps(obj map[string]any) {
	if md, ok := obj["metadata"]; ok && md == nil {
		delete(obj, "metadata")
	}
	md, ok := obj["metadata"].(map[string]any)
	if !ok {
		return
	}
	for _, k := range []string{"labels", "annotations"} {
		if v, ok := md[k]; ok && v == nil {
			delete(md, k)
		}
	}
}

// deletionHookTypes returns the app-deletion hook types (PreDelete, PostDelete, in that order)
// of obj as Argo CD's controller reads them (controller/hook.go isPreDeleteHook and
// isPostDeleteHook): the replay models the latest Argo CD version, see internal/argocd.
func deletionHookTypes(obj *unstructured.Unstructured) []string {
	return argocd.Analyze(obj.Object, argocd.Options{}).DeleteHookTypes
}

// isDeletionHook reports whether obj only runs at app deletion: Argo CD strips it from syncs
// (controller/state.go partitionTargetObjsForSync).
func isDeletionHook(obj *unstructured.Unstructured) bool {
	return argocd.Analyze(obj.Object, argocd.Options{}).DeletionOnly
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
