package engine_test

import (
	"testing"

	"github.com/wavecheck/wavecheck/engine"
	"github.com/wavecheck/wavecheck/internal/argocd"
	"github.com/wavecheck/wavecheck/internal/manifest"
)

// Regression (issue 11 item 9, found by test/argocd): the replay synced an app with an
// unquoted sync-wave that Argo CD's default annotation tracking refuses before any sync.
func TestReplayRefusedByAnnotationTracking(t *testing.T) {
	objs := []manifest.Object{{Object: map[string]any{"apiVersion": "v1", "kind": "ConfigMap",
		"metadata": map[string]any{"name": "c", "annotations": map[string]any{"argocd.argoproj.io/sync-wave": int64(5)}}}}}
	tests := []struct {
		method    argocd.TrackingMethod
		wantPhase string
		wantSteps bool
	}{
		{"", engine.PhaseComparisonError, false},
		{argocd.TrackingAnnotation, engine.PhaseComparisonError, false},
		{argocd.TrackingLabel, "Succeeded", true},
	}
	for _, tc := range tests {
		t.Run(string(tc.method), func(t *testing.T) {
			rep, err := engine.Replay(t.Context(), objs, engine.Options{Namespace: "ns", TrackingMethod: tc.method})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Phase != tc.wantPhase || (len(rep.Steps) > 0) != tc.wantSteps {
				t.Errorf("phase %s with %d steps, want %s (steps: %v); message %q", rep.Phase, len(rep.Steps), tc.wantPhase, tc.wantSteps, rep.Message)
			}
		})
	}
}
