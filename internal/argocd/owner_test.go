package argocd

import "testing"

func TestLiveOwner(t *testing.T) {
	obj := func(labels, anns map[string]any) map[string]any {
		return map[string]any{"metadata": map[string]any{"name": "x", "labels": labels, "annotations": anns}}
	}
	id := map[string]any{AnnotationTrackingID: "shop:apps/Deployment:web/api"}
	inst := map[string]any{LabelAppInstance: "other"}
	tests := []struct {
		name string
		obj  map[string]any
		m    TrackingMethod
		want string
	}{
		{"annotation", obj(inst, id), TrackingAnnotation, "shop"},
		{"annotation+label reads the annotation", obj(inst, id), TrackingAnnotationAndLabel, "shop"},
		{"label reads the label", obj(inst, id), TrackingLabel, "other"},
		{"default is annotation", obj(inst, id), "", "shop"},
		{"namespaced app name", obj(nil, map[string]any{AnnotationTrackingID: "team_shop:/ConfigMap:web/cfg"}), TrackingAnnotation, "team_shop"},
		{"malformed id names no app", obj(nil, map[string]any{AnnotationTrackingID: "shop"}), TrackingAnnotation, ""},
		{"malformed group part", obj(nil, map[string]any{AnnotationTrackingID: "shop:ConfigMap:web/cfg"}), TrackingAnnotation, ""},
		{"non-string id", obj(nil, map[string]any{AnnotationTrackingID: true}), TrackingAnnotation, ""},
		{"null metadata", map[string]any{"metadata": nil}, TrackingLabel, ""},
		{"no tracking", obj(nil, nil), TrackingAnnotation, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := LiveOwner(tt.obj, tt.m); got != tt.want {
				t.Errorf("LiveOwner() = %q, want %q", got, tt.want)
			}
		})
	}
}
