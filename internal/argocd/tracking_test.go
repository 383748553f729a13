package argocd

import (
	"strings"
	"testing"

	"github.com/wavecheck/wavecheck/internal/manifest"
)

func TestTrackingRefusal(t *testing.T) {
	cm := func(ann any) manifest.Object {
		return manifest.Object{Object: map[string]any{"apiVersion": "v1", "kind": "ConfigMap",
			"metadata": map[string]any{"name": "c", "annotations": ann}}, Source: manifest.Source{File: "cm.yaml", Line: 1}}
	}
	crd := manifest.Object{Object: map[string]any{"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
		"metadata": map[string]any{"name": "w.example.com", "annotations": map[string]any{AnnotationSyncWave: int64(1)}}}}
	tests := []struct {
		name   string
		objs   []manifest.Object
		method TrackingMethod
		want   string // substring; "" means not refused
	}{
		{"strings only", []manifest.Object{cm(map[string]any{AnnotationSyncWave: "1"})}, "", ""},
		{"unquoted wave, default method", []manifest.Object{cm(map[string]any{AnnotationSyncWave: int64(5)})}, "", `ConfigMap/c (cm.yaml:1): contains non-string value in the map under key "argocd.argoproj.io/sync-wave"`},
		{"null value", []manifest.Object{cm(map[string]any{"example.com/x": nil})}, TrackingAnnotationAndLabel, `under key "example.com/x"; with annotation+label tracking`},
		{"annotations not a map", []manifest.Object{cm([]any{"a"})}, TrackingAnnotation, "metadata.annotations is not a map"},
		{"label tracking reads no annotation", []manifest.Object{cm(map[string]any{AnnotationSyncWave: int64(5)})}, TrackingLabel, ""},
		{"CRDs are never tracked", []manifest.Object{crd}, TrackingAnnotation, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := TrackingRefusal(tc.objs, tc.method)
			if tc.want == "" && got != "" || tc.want != "" && !strings.Contains(got, tc.want) {
				t.Errorf("TrackingRefusal() = %q, want %q", got, tc.want)
			}
			if tc.want != "" && !strings.HasPrefix(got, "failed to set app instance tracking info on manifest: ") {
				t.Errorf("TrackingRefusal() = %q, want Argo CD's ComparisonError prefix", got)
			}
		})
	}
}
