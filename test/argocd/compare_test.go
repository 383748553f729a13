package argocd

import (
	"encoding/json"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// replayJSON is a replay of a PreSync hook, two waves and a HookSucceeded deletion, in the
// shape of `wavecheck replay -o json`.
const replayJSON = `{"phase":"Succeeded","steps":[
{"seq":1,"syncPhase":"PreSync","wave":0,"action":"apply","kind":"Job","namespace":"ns","name":"seed-0000000-presync-1767225600","hook":"PreSync","result":"Succeeded"},
{"seq":2,"syncPhase":"Sync","wave":0,"action":"apply","kind":"ConfigMap","namespace":"ns","name":"b","result":"Synced"},
{"seq":3,"syncPhase":"Sync","wave":0,"action":"apply","kind":"ConfigMap","namespace":"ns","name":"a","result":"Synced"},
{"seq":4,"syncPhase":"Sync","wave":0,"action":"apply","kind":"Deployment","namespace":"ns","name":"web","result":"Synced"},
{"seq":5,"syncPhase":"Sync","wave":1,"action":"apply","kind":"ConfigMap","namespace":"ns","name":"late","result":"Synced"},
{"seq":6,"syncPhase":"PostSync","wave":0,"action":"delete","kind":"Job","namespace":"ns","name":"seed-0000000-presync-1767225600","hook":"PreSync","result":"Deleted"}]}`

func mustReplay(t *testing.T) Replay {
	t.Helper()
	var r Replay
	if err := json.Unmarshal([]byte(replayJSON), &r); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestFromReplay(t *testing.T) {
	got := FromReplay(mustReplay(t), nil)
	want := Sync{
		Phase: "Succeeded",
		Order: [][]string{
			{"create Job/ns/seed-<generated>"},
			{"create ConfigMap/ns/a", "create ConfigMap/ns/b"}, // one kind of one wave: no order
			{"create Deployment/ns/web"},
			{"create ConfigMap/ns/late"}, // same kind, next wave: a group of its own
			{"delete Job/ns/seed-<generated>"},
		},
		Results: map[string]string{
			"Job/ns/seed-<generated>": "PreSync PreSync Succeeded",
			"ConfigMap/ns/a":          "Sync  Synced",
			"ConfigMap/ns/b":          "Sync  Synced",
			"Deployment/ns/web":       "Sync  Synced",
			"ConfigMap/ns/late":       "Sync  Synced",
		},
	}
	if diff := gocmp.Diff(want, got); diff != "" {
		t.Errorf("FromReplay (-want +got):\n%s", diff)
	}

	// A live object that is only updated writes no creation; one deleted first and
	// re-created (BeforeHookCreation) does.
	r := mustReplay(t)
	existing := map[string]bool{"Deployment/ns/web": true}
	got = FromReplay(r, existing)
	for _, g := range got.Order {
		for _, w := range g {
			if w == "create Deployment/ns/web" {
				t.Errorf("update of a live object in the order: %v", got.Order)
			}
		}
	}
	r.Steps = append(r.Steps, r.Steps[5], r.Steps[0]) // delete, then create again
	existing = map[string]bool{"Job/ns/seed-<generated>": true}
	got = FromReplay(r, existing)
	last := got.Order[len(got.Order)-1]
	if len(last) != 1 || last[0] != "create Job/ns/seed-<generated>" {
		t.Errorf("re-created live hook missing from the order: %v", got.Order)
	}
}

func TestFromArgoCD(t *testing.T) {
	want := FromReplay(mustReplay(t), nil)
	app := &unstructured.Unstructured{Object: map[string]any{
		"status": map[string]any{"operationState": map[string]any{
			"phase": "Succeeded",
			"syncResult": map[string]any{"resources": []any{
				map[string]any{"kind": "Job", "namespace": "ns", "name": "seed-1a2b3c4-presync-1767300000", "hookType": "PreSync", "hookPhase": "Succeeded", "syncPhase": "PreSync", "status": "Synced"},
				map[string]any{"kind": "ConfigMap", "namespace": "ns", "name": "a", "syncPhase": "Sync", "status": "Synced"},
				map[string]any{"kind": "ConfigMap", "namespace": "ns", "name": "b", "syncPhase": "Sync", "status": "Synced"},
				map[string]any{"kind": "Deployment", "namespace": "ns", "name": "web", "syncPhase": "Sync", "status": "Synced"},
				map[string]any{"kind": "ConfigMap", "namespace": "ns", "name": "late", "syncPhase": "Sync", "status": "Synced"},
			}},
		}},
	}}
	ev := func(rv int64, action, kind, name string) Event {
		return Event{RV: rv, Action: action, Kind: kind, Namespace: "ns", Name: name}
	}
	tests := []struct {
		name   string
		events []Event
		same   bool
	}{
		{
			name: "same order, parallel group in either order",
			events: []Event{
				ev(10, "create", "Job", "seed-1a2b3c4-presync-1767300000"),
				ev(11, "create", "Pod", "seed-1a2b3c4-presync-1767300000-xyz"), // not the app's
				ev(20, "create", "ConfigMap", "b"),
				ev(21, "create", "ConfigMap", "a"),
				ev(22, "create", "Deployment", "web"),
				ev(30, "create", "ConfigMap", "late"),
				ev(40, "delete", "Job", "seed-1a2b3c4-presync-1767300000"),
			},
			same: true,
		},
		{
			name: "a wave applied early",
			events: []Event{
				ev(10, "create", "Job", "seed-1a2b3c4-presync-1767300000"),
				ev(20, "create", "ConfigMap", "late"),
				ev(21, "create", "ConfigMap", "a"),
				ev(22, "create", "ConfigMap", "b"),
				ev(23, "create", "Deployment", "web"),
				ev(40, "delete", "Job", "seed-1a2b3c4-presync-1767300000"),
			},
		},
		{
			name: "hook never deleted",
			events: []Event{
				ev(10, "create", "Job", "seed-1a2b3c4-presync-1767300000"),
				ev(20, "create", "ConfigMap", "a"),
				ev(21, "create", "ConfigMap", "b"),
				ev(22, "create", "Deployment", "web"),
				ev(30, "create", "ConfigMap", "late"),
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := FromArgoCD(app, tt.events, want)
			diff := gocmp.Diff(want, got)
			if tt.same && diff != "" {
				t.Errorf("FromArgoCD differs from the replay (-replay +argocd):\n%s", diff)
			}
			if !tt.same && diff == "" {
				t.Errorf("FromArgoCD found no difference in %v", tt.events)
			}
		})
	}
}
