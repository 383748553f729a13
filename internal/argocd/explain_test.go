package argocd

import (
	"strings"
	"testing"
)

func TestExplain(t *testing.T) {
	obj := func(ann map[string]any) map[string]any {
		return map[string]any{"apiVersion": "batch/v1", "kind": "Job", "metadata": map[string]any{"name": "x", "annotations": ann}}
	}
	tests := []struct {
		name  string
		ann   map[string]any
		never string // a part of NeverApplied, "" when applied
		notes []string
	}{
		{name: "plain", ann: nil},
		{name: "unknown hook type", ann: map[string]any{AnnotationHook: "Presync"}, never: `unknown hook type "Presync"`},
		{name: "skip", ann: map[string]any{AnnotationHook: "Skip"}, never: "hook Skip"},
		{name: "helm test hook", ann: map[string]any{AnnotationHelmHook: "test"}, never: `Helm hook "test" has no Argo CD phase`},
		{name: "deletion only", ann: map[string]any{AnnotationHook: "PreDelete"}, never: "app deletion only (PreDelete)"},
		{name: "invalid wave", ann: map[string]any{AnnotationSyncWave: "1.5"}, notes: []string{`sync-wave "1.5" is not an integer: wave 0`}},
		{name: "invalid wave, hook weight used", ann: map[string]any{AnnotationSyncWave: "x", AnnotationHelmWeight: "3"},
			notes: []string{`sync-wave "x" is not an integer: wave 3 (hook-weight)`}},
		{name: "dropped annotations", ann: map[string]any{AnnotationSyncWave: int64(2), AnnotationHook: "PreSync"},
			notes: []string{"annotations dropped (non-string value of " + AnnotationSyncWave + ")"}},
		{name: "unknown type next to a valid one", ann: map[string]any{AnnotationHook: "PreSync,Postsync"}, notes: []string{`unknown hook type "Postsync" ignored`}},
		{name: "unknown delete policy", ann: map[string]any{AnnotationHook: "PreSync", AnnotationHookDeletePolicy: "OnSuccess"},
			notes: []string{`delete policy "OnSuccess" ignored: BeforeHookCreation`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := Analyze(obj(tc.ann), Options{})
			never := f.NeverApplied()
			if (tc.never == "") != (never == "") || !strings.Contains(never, tc.never) {
				t.Errorf("NeverApplied() = %q, want %q", never, tc.never)
			}
			notes := f.Notes()
			if len(notes) != len(tc.notes) {
				t.Fatalf("Notes() = %q, want %q", notes, tc.notes)
			}
			for i, want := range tc.notes {
				if !strings.Contains(notes[i], want) {
					t.Errorf("note %d = %q, want %q", i, notes[i], want)
				}
			}
		})
	}
	f := Analyze(obj(nil), Options{})
	f.Superseded = true
	if !strings.Contains(f.NeverApplied(), "keeps only the last") {
		t.Errorf("superseded: %q", f.NeverApplied())
	}
}

// TestExplainAtVersion: a hook type newer than the target version is the reason the object
// never runs (hookTypeSince, as the rule hook-version-unsupported reads it), or a note when
// the object still runs in another phase.
func TestExplainAtVersion(t *testing.T) {
	obj := func(hook string) map[string]any {
		return map[string]any{"apiVersion": "batch/v1", "kind": "Job", "metadata": map[string]any{"name": "x", "annotations": map[string]any{AnnotationHook: hook}}}
	}
	v := func(s string) Version {
		t.Helper()
		ver, err := ParseVersion(s)
		if err != nil {
			t.Fatal(err)
		}
		return ver
	}
	tests := []struct {
		name, hook, version string
		never, note         string
	}{
		{name: "PreDelete before 3.3", hook: "PreDelete", version: "3.2", never: `hook type "PreDelete" needs Argo CD >= 3.3 (target 3.2): the hook never runs`},
		{name: "PostDelete before 2.10", hook: "PostDelete", version: "2.9", never: `hook type "PostDelete" needs Argo CD >= 2.10 (target 2.9): the hook never runs`},
		{name: "PreDelete at 3.3", hook: "PreDelete", version: "3.3", never: "app deletion only (PreDelete)"},
		{name: "still a PostSync hook", hook: "PostSync,PostDelete", version: "2.9", note: `hook type "PostDelete" needs Argo CD >= 2.10 (target 2.9): ignored by the target version`},
		{name: "known everywhere", hook: "PreSync", version: "2.4"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ver := v(tc.version)
			f := Analyze(obj(tc.hook), Options{Version: ver})
			if got := f.NeverAppliedAt(ver); (tc.never == "") != (got == "") || !strings.Contains(got, tc.never) {
				t.Errorf("NeverAppliedAt(%s) = %q, want %q", ver, got, tc.never)
			}
			notes := f.NotesAt(ver)
			if tc.note == "" && len(notes) > 0 || tc.note != "" && (len(notes) != 1 || notes[0] != tc.note) {
				t.Errorf("NotesAt(%s) = %q, want %q", ver, notes, tc.note)
			}
		})
	}
}
