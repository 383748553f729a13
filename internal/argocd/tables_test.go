package argocd

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDefaultTrackingMethod(t *testing.T) {
	tests := []struct {
		version Version
		want    TrackingMethod
	}{
		{Version{}, TrackingAnnotation}, // Latest
		{Latest, TrackingAnnotation},
		{Version{Major: 3}, TrackingAnnotation},
		{Version{Major: 2, Minor: 14, Patch: 9}, TrackingLabel},
		{Version{Major: 2, Minor: 10}, TrackingLabel},
	}
	for _, tt := range tests {
		if got := DefaultTrackingMethod(tt.version); got != tt.want {
			t.Errorf("DefaultTrackingMethod(%v) = %s, want %s", tt.version, got, tt.want)
		}
	}
}

func TestParseTrackingMethod(t *testing.T) {
	for in, want := range map[string]TrackingMethod{"annotation": TrackingAnnotation, " label ": TrackingLabel, "annotation+label": TrackingAnnotationAndLabel} {
		got, err := ParseTrackingMethod(in)
		if err != nil || got != want {
			t.Errorf("ParseTrackingMethod(%q) = %s, %v; want %s", in, got, err, want)
		}
	}
	for _, in := range []string{"", "Annotation", "labels", "annotation,label"} {
		if _, err := ParseTrackingMethod(in); err == nil {
			t.Errorf("ParseTrackingMethod(%q) accepted", in)
		}
	}
	if !TrackingAnnotationAndLabel.TracksByAnnotation() || TrackingLabel.TracksByAnnotation() {
		t.Error("TracksByAnnotation: annotation+label must track by annotation, label must not")
	}
}

// TestTablesDocument pins the Rego view of the tables: JSON-compatible, versions as documents,
// and the same values the Go analysis uses.
func TestTablesDocument(t *testing.T) {
	doc := TablesDocument()
	if _, err := json.Marshal(doc); err != nil {
		t.Fatalf("tables are not JSON-compatible: %v", err)
	}
	want := map[string]any{
		"latest":         VersionDocument(Latest),
		"phaseOrder":     map[string]any{"PreSync": -1, "Sync": 0, "PostSync": 1, "SyncFail": 2},
		"hookTypes":      []any{"PreSync", "Sync", "PostSync", "SyncFail", "Skip", "PreDelete", "PostDelete"},
		"deletePolicies": []any{"HookSucceeded", "HookFailed", "BeforeHookCreation"},
		"hookTypeSince": map[string]any{
			"PostDelete": VersionDocument(Version{Major: 2, Minor: 10}), "post-delete": VersionDocument(Version{Major: 2, Minor: 10}),
			"PreDelete": VersionDocument(Version{Major: 3, Minor: 3}), "pre-delete": VersionDocument(Version{Major: 3, Minor: 3}),
		},
		"trackingDefault": map[string]any{"since": VersionDocument(Version{Major: 3}), "current": "annotation", "before": "label"},
	}
	for k, w := range want {
		if diff := cmp.Diff(w, doc[k]); diff != "" {
			t.Errorf("tables[%s] (-want +got):\n%s", k, diff)
		}
	}
	for phase, rank := range doc["phaseOrder"].(map[string]any) {
		if PhaseOrder(phase) != rank {
			t.Errorf("PhaseOrder(%s) = %d, table says %v", phase, PhaseOrder(phase), rank)
		}
	}
	if got := VersionDocument(Latest)["string"]; got != Latest.String() {
		t.Errorf("latest string = %v", got)
	}
}
