package manifest

import "testing"

func TestRefAndLocation(t *testing.T) {
	tests := []struct {
		name    string
		obj     Object
		wantRef string
		wantLoc string
	}{
		{"named with line", Object{Object: map[string]any{"kind": "Job", "metadata": map[string]any{"name": "migrate"}}, Source: Source{File: "app/job.yaml", Line: 3}}, "Job/migrate", "app/job.yaml:3"},
		{"generateName", Object{Object: map[string]any{"kind": "Pod", "metadata": map[string]any{"generateName": "hook-"}}, Source: Source{File: "chart/templates/pod.yaml"}}, "Pod/hook-*", "chart/templates/pod.yaml"},
		{"null metadata", Object{Object: map[string]any{"kind": "ConfigMap", "metadata": nil}}, "ConfigMap/", ""},
		{"non-string name", Object{Object: map[string]any{"kind": "ConfigMap", "metadata": map[string]any{"name": true}}}, "ConfigMap/", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.obj.Ref(); got != tc.wantRef {
				t.Errorf("Ref() = %q, want %q", got, tc.wantRef)
			}
			if got := tc.obj.Location(); got != tc.wantLoc {
				t.Errorf("Location() = %q, want %q", got, tc.wantLoc)
			}
		})
	}
}
