package argocd

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/wavecheck/wavecheck/internal/manifest"
)

func obj(kind, name string, ann map[string]any) map[string]any {
	md := map[string]any{"name": name}
	if ann != nil {
		md["annotations"] = ann
	}
	return map[string]any{"apiVersion": "v1", "kind": kind, "metadata": md}
}

func TestAnalyze(t *testing.T) {
	tests := []struct {
		name string
		ann  map[string]any
		ver  Version
		want Facts
	}{
		{
			name: "plain resource",
			want: Facts{SyncPhases: []string{"Sync"}, WaveSource: "default",
				DeletePolicies: []string{"BeforeHookCreation"}, DeletePoliciesDefaulted: true},
		},
		{
			name: "wave accepted by Atoi",
			ann:  map[string]any{AnnotationSyncWave: "+3"},
			want: Facts{Annotations: map[string]string{AnnotationSyncWave: "+3"}, SyncPhases: []string{"Sync"},
				Wave: 3, WaveSource: "sync-wave", DeletePolicies: []string{"BeforeHookCreation"}, DeletePoliciesDefaulted: true},
		},
		{
			name: "bad wave falls back to hook-weight on a non-hook",
			ann:  map[string]any{AnnotationSyncWave: "1.5", AnnotationHelmWeight: "-2"},
			want: Facts{Annotations: map[string]string{AnnotationSyncWave: "1.5", AnnotationHelmWeight: "-2"},
				SyncPhases: []string{"Sync"}, Wave: -2, WaveSource: "hook-weight", SyncWaveInvalid: true,
				DeletePolicies: []string{"BeforeHookCreation"}, DeletePoliciesDefaulted: true},
		},
		{
			name: "wave with a trailing space is not an integer",
			ann:  map[string]any{AnnotationSyncWave: "1 "},
			want: Facts{Annotations: map[string]string{AnnotationSyncWave: "1 "}, SyncPhases: []string{"Sync"},
				WaveSource: "default", SyncWaveInvalid: true, DeletePolicies: []string{"BeforeHookCreation"}, DeletePoliciesDefaulted: true},
		},
		{
			name: "non-string value drops every annotation",
			ann:  map[string]any{AnnotationSyncWave: int64(5), AnnotationHook: "PreSync"},
			want: Facts{NonStringAnnotations: []string{AnnotationSyncWave}, AnnotationsDropped: true,
				SyncPhases: []string{"Sync"}, WaveSource: "default",
				DeletePolicies: []string{"BeforeHookCreation"}, DeletePoliciesDefaulted: true},
		},
		{
			// Found by the differential test: GetAnnotations coerces a null value to "" (the
			// helm.sh/hook key is present, so the object is a hook).
			name: "null value is an empty string",
			ann:  map[string]any{AnnotationHelmHook: nil, "example.com/x": "y"},
			want: Facts{Annotations: map[string]string{AnnotationHelmHook: "", "example.com/x": "y"}, NullAnnotations: []string{AnnotationHelmHook}, Hook: true, GitOpsEngineHook: true,
				WaveSource: "default", DeletePolicies: []string{"BeforeHookCreation"}, DeletePoliciesDefaulted: true},
		},
		{
			name: "hook types trimmed, de-duplicated, ordered by phase",
			ann:  map[string]any{AnnotationHook: " PostSync, PreSync,PostSync"},
			want: Facts{Annotations: map[string]string{AnnotationHook: " PostSync, PreSync,PostSync"}, Hook: true, GitOpsEngineHook: true,
				HookTypes: []string{"PostSync", "PreSync"}, ArgoCDHookValues: []string{"PostSync", "PreSync"},
				SyncPhases: []string{"PreSync", "PostSync"}, WaveSource: "default",
				DeletePolicies: []string{"BeforeHookCreation"}, DeletePoliciesDefaulted: true},
		},
		{
			name: "typo gives a hook with no phase",
			ann:  map[string]any{AnnotationHook: "Presync"},
			want: Facts{Annotations: map[string]string{AnnotationHook: "Presync"}, Hook: true, GitOpsEngineHook: true,
				ArgoCDHookValues: []string{"Presync"}, WaveSource: "default",
				DeletePolicies: []string{"BeforeHookCreation"}, DeletePoliciesDefaulted: true},
		},
		{
			name: "Skip alone skips",
			ann:  map[string]any{AnnotationHook: "Skip"},
			want: Facts{Annotations: map[string]string{AnnotationHook: "Skip"}, Skip: true,
				HookTypes: []string{"Skip"}, ArgoCDHookValues: []string{"Skip"}, WaveSource: "default",
				DeletePolicies: []string{"BeforeHookCreation"}, DeletePoliciesDefaulted: true},
		},
		{
			name: "Skip with another type is a hook",
			ann:  map[string]any{AnnotationHook: "Skip,PreSync"},
			want: Facts{Annotations: map[string]string{AnnotationHook: "Skip,PreSync"}, Hook: true, GitOpsEngineHook: true,
				HookTypes: []string{"Skip", "PreSync"}, ArgoCDHookValues: []string{"Skip", "PreSync"},
				SyncPhases: []string{"PreSync"}, WaveSource: "default",
				DeletePolicies: []string{"BeforeHookCreation"}, DeletePoliciesDefaulted: true},
		},
		{
			name: "helm hook mapped, weight is the wave, policies combined",
			ann: map[string]any{AnnotationHelmHook: "pre-install,test", AnnotationHelmWeight: "5",
				AnnotationHelmDeletePolicy: "hook-succeeded", AnnotationHookDeletePolicy: "HookFailed,hook-failed"},
			want: Facts{Annotations: map[string]string{AnnotationHelmHook: "pre-install,test", AnnotationHelmWeight: "5",
				AnnotationHelmDeletePolicy: "hook-succeeded", AnnotationHookDeletePolicy: "HookFailed,hook-failed"},
				Hook: true, GitOpsEngineHook: true, HookTypes: []string{"PreSync"}, HelmHookValues: []string{"pre-install", "test"},
				SyncPhases: []string{"PreSync"}, Wave: 5, WaveSource: "hook-weight",
				DeletePolicies: []string{"HookFailed", "HookSucceeded"}},
		},
		{
			name: "argo cd hook wins over helm hook",
			ann:  map[string]any{AnnotationHook: "PostSync", AnnotationHelmHook: "pre-install"},
			want: Facts{Annotations: map[string]string{AnnotationHook: "PostSync", AnnotationHelmHook: "pre-install"},
				Hook: true, GitOpsEngineHook: true, HookTypes: []string{"PostSync"}, ArgoCDHookValues: []string{"PostSync"},
				HelmHookValues: []string{"pre-install"}, SyncPhases: []string{"PostSync"}, WaveSource: "default",
				DeletePolicies: []string{"BeforeHookCreation"}, DeletePoliciesDefaulted: true},
		},
		{
			name: "helm test hook is a hook that never runs",
			ann:  map[string]any{AnnotationHelmHook: "test"},
			want: Facts{Annotations: map[string]string{AnnotationHelmHook: "test"}, Hook: true, GitOpsEngineHook: true,
				HelmHookValues: []string{"test"}, WaveSource: "default",
				DeletePolicies: []string{"BeforeHookCreation"}, DeletePoliciesDefaulted: true},
		},
		{
			name: "crd-install is not a hook",
			ann:  map[string]any{AnnotationHelmHook: "crd-install"},
			want: Facts{Annotations: map[string]string{AnnotationHelmHook: "crd-install"},
				HelmHookValues: []string{"crd-install"}, SyncPhases: []string{"Sync"}, WaveSource: "default",
				DeletePolicies: []string{"BeforeHookCreation"}, DeletePoliciesDefaulted: true},
		},
		{
			name: "PostDelete is a deletion hook on 2.10",
			ann:  map[string]any{AnnotationHook: "PostDelete"},
			ver:  Version{Major: 2, Minor: 10},
			want: Facts{Annotations: map[string]string{AnnotationHook: "PostDelete"}, Hook: true, GitOpsEngineHook: true,
				ArgoCDHookValues: []string{"PostDelete"}, DeleteHookTypes: []string{"PostDelete"}, FinalizerHookTypes: []string{"PostDelete"}, DeletionOnly: true, WaveSource: "default",
				DeletePolicies: []string{"BeforeHookCreation"}, DeletePoliciesDefaulted: true},
		},
		{
			name: "PreDelete is not a deletion hook before 3.3",
			ann:  map[string]any{AnnotationHelmHook: "pre-delete"},
			ver:  Version{Major: 3, Minor: 2},
			want: Facts{Annotations: map[string]string{AnnotationHelmHook: "pre-delete"}, Hook: true, GitOpsEngineHook: true,
				HelmHookValues: []string{"pre-delete"}, WaveSource: "default",
				DeletePolicies: []string{"BeforeHookCreation"}, DeletePoliciesDefaulted: true},
		},
		{
			name: "sync options parsed",
			ann:  map[string]any{AnnotationSyncOptions: "Prune=false, PruneLast=true,,Prune=false"},
			want: Facts{Annotations: map[string]string{AnnotationSyncOptions: "Prune=false, PruneLast=true,,Prune=false"},
				SyncPhases: []string{"Sync"}, WaveSource: "default", SyncOptions: []string{"Prune=false", "PruneLast=true"},
				DeletePolicies: []string{"BeforeHookCreation"}, DeletePoliciesDefaulted: true},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Analyze(obj("Pod", "p", tt.ann), Options{Version: tt.ver})
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Analyze() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDeleteHookVersions pins the deletion hook reading of each Argo CD version range:
// controller/hook.go isHookOfType compares the whole value up to v3.3.2 (`ok && val == v`) and
// the trimmed comma-separated items from v3.3.3; controller/state.go keeps every deletion hook
// out of syncs from v3.3.0 and, from v3.3.5 (partitionTargetObjsForSync), only those without a
// gitops-engine sync phase.
func TestDeleteHookVersions(t *testing.T) {
	type got struct {
		Delete, Phases, Dropped []string
		Ignored                 []IgnoredDeleteHook
		Only                    bool
	}
	v := func(s string) Version {
		ver, err := ParseVersion(s)
		if err != nil {
			t.Fatal(err)
		}
		return ver
	}
	both := map[string]any{AnnotationHook: "PreDelete,PostDelete"}
	withSync := map[string]any{AnnotationHook: " PostSync , PostDelete"}
	helmMixed := map[string]any{AnnotationHook: "PostDelete", AnnotationHelmHook: "pre-install"}
	tests := []struct {
		name string
		ann  map[string]any
		ver  string
		want got
	}{
		{"list ignored up to 3.3.2", both, "3.3.2", got{Ignored: []IgnoredDeleteHook{
			{Key: AnnotationHook, Value: "PreDelete,PostDelete", Type: "PreDelete", Item: "PreDelete"},
			{Key: AnnotationHook, Value: "PreDelete,PostDelete", Type: "PostDelete", Item: "PostDelete"}}}},
		{"list read from 3.3.3", both, "3.3.3", got{Delete: []string{"PreDelete", "PostDelete"}, Only: true}},
		{"list read on latest", both, "", got{Delete: []string{"PreDelete", "PostDelete"}, Only: true}},
		{"PreDelete unknown before 3.3", both, "3.2.9", got{Ignored: []IgnoredDeleteHook{
			{Key: AnnotationHook, Value: "PreDelete,PostDelete", Type: "PostDelete", Item: "PostDelete"}}}},
		{"sync type kept up to 3.3.2", withSync, "3.3.2", got{Phases: []string{"PostSync"}, Ignored: []IgnoredDeleteHook{
			{Key: AnnotationHook, Value: " PostSync , PostDelete", Type: "PostDelete", Item: "PostDelete"}}}},
		{"sync type dropped on 3.3.3", withSync, "3.3.3", got{Delete: []string{"PostDelete"}, Dropped: []string{"PostSync"}, Only: true}},
		{"sync type dropped on 3.3.4", withSync, "3.3.4", got{Delete: []string{"PostDelete"}, Dropped: []string{"PostSync"}, Only: true}},
		{"sync type kept from 3.3.5", withSync, "3.3.5", got{Delete: []string{"PostDelete"}, Phases: []string{"PostSync"}}},
		{"helm sync type with exact PostDelete on 3.2", helmMixed, "3.2", got{Delete: []string{"PostDelete"}, Phases: []string{"PreSync"}}},
		{"helm sync type with exact PostDelete on 3.3.0", helmMixed, "3.3.0", got{Delete: []string{"PostDelete"}, Dropped: []string{"PreSync"}, Only: true}},
		{"helm sync type with exact PostDelete on latest", helmMixed, "", got{Delete: []string{"PostDelete"}, Phases: []string{"PreSync"}}},
		{"exact value found by the other key", map[string]any{AnnotationHook: "PostDelete", AnnotationHelmHook: "post-delete,pre-install"}, "3.3.2",
			got{Delete: []string{"PostDelete"}, Dropped: []string{"PreSync"}, Only: true}},
	}
	// A deletion-only PreDelete,PostDelete hook sets only the pre-delete finalizer from 3.3.0.
	for _, tc := range []struct {
		ver  string
		ann  map[string]any
		want []string
	}{
		{"", both, []string{"PreDelete"}},
		{"3.3.0", map[string]any{AnnotationHook: "PreDelete", AnnotationHelmHook: "post-delete"}, []string{"PreDelete"}},
		{"3.2", map[string]any{AnnotationHook: "PostDelete", AnnotationHelmHook: "pre-delete"}, []string{"PostDelete"}},
		{"", map[string]any{AnnotationHook: "PreDelete,PostDelete,PostSync"}, []string{"PreDelete", "PostDelete"}},
		{"3.3.4", map[string]any{AnnotationHook: "PreDelete,PostDelete,PostSync"}, []string{"PreDelete"}},
	} {
		var ver Version
		if tc.ver != "" {
			ver = v(tc.ver)
		}
		if got := Analyze(obj("Job", "j", tc.ann), Options{Version: ver}).FinalizerHookTypes; !cmp.Equal(got, tc.want) {
			t.Errorf("FinalizerHookTypes of %v at %q = %v, want %v", tc.ann, tc.ver, got, tc.want)
		}
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ver Version
			if tt.ver != "" {
				ver = v(tt.ver)
			}
			f := Analyze(obj("Job", "j", tt.ann), Options{Version: ver})
			g := got{Delete: f.DeleteHookTypes, Phases: f.SyncPhases, Dropped: f.SyncDroppedPhases, Ignored: f.IgnoredDeleteHooks, Only: f.DeletionOnly}
			if diff := cmp.Diff(tt.want, g, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Analyze(%v) at %q (-want +got):\n%s", tt.ann, tt.ver, diff)
			}
		})
	}
}

func robj(apiVersion, kind, ns, name string, ann map[string]any, spec map[string]any) manifest.Object {
	o := obj(kind, name, ann)
	o["apiVersion"] = apiVersion
	if ns != "" {
		o["metadata"].(map[string]any)["namespace"] = ns
	}
	if spec != nil {
		o["spec"] = spec
	}
	return manifest.Object{Object: o}
}

func TestAnalyzeAllSteps(t *testing.T) {
	wave := func(w string) map[string]any { return map[string]any{AnnotationSyncWave: w} }
	crd := map[string]any{"group": "example.com", "names": map[string]any{"kind": "Widget"}}
	tests := []struct {
		name    string
		objs    []manifest.Object
		ns      string
		want    [][]Step
		wantOrd []int
	}{
		{
			name: "namespace in a later wave moves before its first object",
			objs: []manifest.Object{
				robj("v1", "Namespace", "", "team", wave("5"), nil),
				robj("v1", "ConfigMap", "team", "cm", wave("-1"), nil),
				robj("v1", "Service", "team", "svc", nil, nil),
			},
			want: [][]Step{
				{{Phase: "Sync", Wave: -1, Moved: true, Before: "ConfigMap/cm", DeclaredPhase: "Sync", DeclaredWave: 5}},
				{{Phase: "Sync", Wave: -1}},
				{{Phase: "Sync", Wave: 0}},
			},
			wantOrd: []int{0, 1, 2},
		},
		{
			name: "namespace used by a PreSync hook moves into PreSync",
			objs: []manifest.Object{
				robj("v1", "Namespace", "", "team", nil, nil),
				robj("batch/v1", "Job", "team", "migrate", map[string]any{AnnotationHook: "PreSync"}, nil),
			},
			want: [][]Step{
				{{Phase: "PreSync", Wave: 0, Moved: true, Before: "Job/migrate", DeclaredPhase: "Sync", DeclaredWave: 0}},
				{{Phase: "PreSync", Wave: 0}},
			},
			wantOrd: []int{0, 1},
		},
		{
			name: "namespace-less objects count as in the destination namespace",
			ns:   "app",
			objs: []manifest.Object{
				robj("v1", "Namespace", "", "app", wave("3"), nil),
				robj("v1", "ConfigMap", "", "cm", nil, nil),
			},
			want: [][]Step{
				{{Phase: "Sync", Wave: 0, Moved: true, Before: "ConfigMap/cm", DeclaredPhase: "Sync", DeclaredWave: 3}},
				{{Phase: "Sync", Wave: 0}},
			},
			wantOrd: []int{0, 1},
		},
		{
			name: "crd lands right before its first custom resource, after earlier kinds of that wave",
			objs: []manifest.Object{
				robj("apiextensions.k8s.io/v1", "CustomResourceDefinition", "", "widgets.example.com", wave("2"), crd),
				robj("example.com/v1", "Widget", "", "w", wave("1"), nil),
				robj("v1", "ConfigMap", "", "cm", wave("1"), nil),
			},
			want: [][]Step{
				{{Phase: "Sync", Wave: 1, Moved: true, Before: "Widget/w", DeclaredPhase: "Sync", DeclaredWave: 2}},
				{{Phase: "Sync", Wave: 1}},
				{{Phase: "Sync", Wave: 1}},
			},
			wantOrd: []int{2, 0, 1},
		},
		{
			name: "crd already first is not reported as moved",
			objs: []manifest.Object{
				robj("apiextensions.k8s.io/v1", "CustomResourceDefinition", "", "widgets.example.com", wave("-1"), crd),
				robj("example.com/v1", "Widget", "", "w", nil, nil),
			},
			want:    [][]Step{{{Phase: "Sync", Wave: -1}}, {{Phase: "Sync", Wave: 0}}},
			wantOrd: []int{0, 1},
		},
		{
			name: "hook in two phases has two steps; skipped object none",
			objs: []manifest.Object{
				robj("batch/v1", "Job", "", "j", map[string]any{AnnotationHook: "PostSync,PreSync", AnnotationSyncWave: "2"}, nil),
				robj("v1", "ConfigMap", "", "skipped", map[string]any{AnnotationHook: "Skip"}, nil),
			},
			want:    [][]Step{{{Phase: "PreSync", Wave: 2}, {Phase: "PostSync", Wave: 2}}, nil},
			wantOrd: []int{0, 0},
		},
		{
			name: "kind order then name inside a wave",
			objs: []manifest.Object{
				robj("apps/v1", "Deployment", "", "b", nil, nil),
				robj("v1", "ServiceAccount", "", "z", nil, nil),
				robj("apps/v1", "Deployment", "", "a", nil, nil),
				robj("example.com/v1", "Widget", "", "0", nil, nil),
			},
			want:    [][]Step{{{Phase: "Sync"}}, {{Phase: "Sync"}}, {{Phase: "Sync"}}, {{Phase: "Sync"}}},
			wantOrd: []int{1, 2, 0, 3},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			facts, plan := Plan(tt.objs, Options{Namespace: tt.ns})
			var got [][]Step
			for _, f := range facts {
				got = append(got, f.Steps)
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("steps mismatch (-want +got):\n%s", diff)
			}
			var ord []int
			for _, p := range plan {
				ord = append(ord, p.Object)
			}
			if diff := cmp.Diff(tt.wantOrd, ord); diff != "" {
				t.Errorf("order mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseVersion(t *testing.T) {
	tests := []struct {
		in      string
		want    Version
		wantErr bool
	}{
		{in: "3.6", want: Version{3, 6, 0}},
		{in: "2.10", want: Version{2, 10, 0}},
		{in: "v3.3.1", want: Version{3, 3, 1}},
		{in: "3", want: Version{3, 0, 0}},
		{in: "v3.0.0-rc1", want: Version{3, 0, 0}},
		{in: "", wantErr: true},
		{in: "three", wantErr: true},
		{in: "3.x", wantErr: true},
		{in: "1.2.3.4", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseVersion(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ParseVersion(%q) error = %v, wantErr %v", tt.in, err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseVersion(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
	if !(Version{2, 10, 0}).AtLeast(PostDeleteSince) || (Version{2, 9, 5}).AtLeast(PostDeleteSince) {
		t.Errorf("AtLeast(2.10) is wrong around 2.10")
	}
}

// TestPlanSupersededAndGenerateName pins two rules of Argo CD found by the plan conformance
// test: duplicates keep the last object (controller/state.go NormalizeTargetObjects), and only
// hooks get a name from generateName (gitops-engine sync_context.go getSyncTasks), so a
// nameless non-hook sorts by its empty name.
func TestPlanSupersededAndGenerateName(t *testing.T) {
	cm := func(name, wave string) manifest.Object {
		return manifest.Object{Object: robj("v1", "ConfigMap", "", name, map[string]any{AnnotationSyncWave: wave}, nil).Object}
	}
	gen := func(kind, generateName string, ann map[string]any) manifest.Object {
		o := obj(kind, "", ann)
		o["apiVersion"] = "batch/v1"
		md := o["metadata"].(map[string]any)
		delete(md, "name")
		md["generateName"] = generateName
		return manifest.Object{Object: o}
	}
	objs := []manifest.Object{cm("config", "1"), cm("config", "2"), gen("Job", "b-", nil), gen("Job", "a-", nil),
		{Object: robj("batch/v1", "Job", "", "0", nil, nil).Object}}
	facts, plan := Plan(objs, Options{Namespace: "default"})
	if !facts[0].Superseded || facts[1].Superseded || len(facts[0].Steps) != 0 {
		t.Errorf("first duplicate: superseded=%v steps=%v, want superseded without steps; second superseded=%v",
			facts[0].Superseded, facts[0].Steps, facts[1].Superseded)
	}
	var got []int
	for _, tk := range plan {
		got = append(got, tk.Object)
	}
	// Jobs in wave 0: the two nameless ones (empty name, stable) before "0"; the ConfigMap in wave 2.
	if want := []int{2, 3, 4, 1}; !cmp.Equal(got, want) {
		t.Errorf("plan objects = %v, want %v", got, want)
	}
}
