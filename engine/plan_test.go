package engine_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wavecheck/wavecheck/engine"
	"github.com/wavecheck/wavecheck/engine/output"
)

func TestPlan(t *testing.T) {
	type row struct {
		Phase  string
		Wave   int
		Action string
		Ref    string
		Hook   string
		Moved  bool
	}
	tests := []struct {
		name      string
		dir       string
		live      string
		prune     bool
		want      []row
		deletions []string
	}{
		{
			name: "bubbling", dir: "testdata/apps/bubbling",
			want: []row{
				{"Sync", 1, "apply", "Namespace/team-a", "", true},
				{"Sync", 1, "apply", "ConfigMap/settings", "", false},
				{"Sync", 2, "apply", "ConfigMap/alpha", "", false},
				{"Sync", 2, "apply", "Deployment/web", "", false},
				{"Sync", 2, "apply", "CustomResourceDefinition/widgets.example.com", "", true},
				{"Sync", 2, "apply", "Widget/gadget", "", false},
			},
		},
		{
			name: "syncfail", dir: "testdata/apps/syncfail",
			want: []row{
				{"PreSync", 0, "apply", "Pod/smoke", "PreSync", false},
				{"PreSync", 0, "apply", "Job/migrate", "PreSync", false},
				{"Sync", 0, "apply", "Deployment/api", "", false},
				{"SyncFail", 0, "apply", "ConfigMap/rollback-plan", "SyncFail", false},
				{"SyncFail", 0, "apply", "Job/notify-failure-0000000-syncfail-1767225600", "SyncFail", false},
			},
		},
		{
			name: "prune-order", dir: "testdata/apps/prune", live: "testdata/apps/prune-live/live.yaml", prune: true,
			want: []row{
				// the waves the replay prunes them in (prune.txt): gitops-engine re-mirrors
				// the prune waves of the objects still live every round
				{"Sync", -1, "prune", "Secret/old-late", "", false},
				{"Sync", -1, "prune", "ConfigMap/old-protected", "", false},
				{"Sync", 0, "prune", "ConfigMap/old-early", "", false},
				{"Sync", 1, "apply", "ConfigMap/kept", "", false},
				{"Sync", 2, "prune", "ConfigMap/old-last", "", false},
			},
		},
		{
			// the order does not depend on the CRD being installed (the replay fails without it)
			name: "cr-without-crd", dir: "testdata/apps/cr-without-crd",
			want: []row{
				{"Sync", 0, "apply", "ConfigMap/settings", "", false},
				{"Sync", 0, "apply", "Widget/gadget", "", false},
			},
		},
		{
			name: "deletion-hooks-stripped", dir: "testdata/apps/deletion",
			want: []row{
				{"Sync", 0, "apply", "ConfigMap/settings", "", false},
				{"Sync", 0, "apply", "PersistentVolumeClaim/data", "", false},
				{"Sync", 0, "apply", "Deployment/web", "", false},
			},
			deletions: []string{"PreDelete Job/backup", "PostDelete Job/cleanup-dns"},
		},
		{
			// Argo CD >= 3.3.5 keeps a deletion hook with a sync type in syncs.
			name: "deletion-lists", dir: "testdata/apps/deletion-lists",
			want: []row{
				{"Sync", 0, "apply", "Deployment/web", "", false},
				{"PostSync", 0, "apply", "Job/report", "PostSync", false},
			},
			deletions: []string{"PreDelete,PostDelete Job/teardown"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sim := engine.SimOptions{}
			if tc.live != "" {
				sim.Live = liveObjects(t, tc.live)
			}
			p, err := engine.Plan(context.Background(), renderApp(t, tc.dir), engine.Options{Prune: tc.prune, Cluster: engine.Simulated(sim)})
			if err != nil {
				t.Fatal(err)
			}
			var got []row
			for _, task := range p.Tasks {
				got = append(got, row{task.Phase, task.Wave, task.Action, task.Ref(), task.Hook, task.Moved})
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("plan (-want +got):\n%s", diff)
			}
			var dels []string
			for _, d := range p.DeletionHooks {
				dels = append(dels, d.Phase+" "+d.Ref())
			}
			if diff := cmp.Diff(tc.deletions, dels); diff != "" {
				t.Errorf("deletion hooks (-want +got):\n%s", diff)
			}
			var table bytes.Buffer
			if err := (output.PlanText{}).Write(&table, p); err != nil {
				t.Fatal(err)
			}
			checkGolden(t, "plan-"+tc.name+".txt", table.Bytes())
		})
	}
}

func TestExpectation(t *testing.T) {
	rep, err := engine.Replay(context.Background(), renderApp(t, "testdata/apps/syncfail"), engine.Options{Cluster: engine.Simulated(engine.SimOptions{Fail: []string{"Job/migrate"}})})
	if err != nil {
		t.Fatal(err)
	}
	data, err := engine.ExpectationOf(rep).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "expect-syncfail.yaml", data)
	e, err := engine.ParseExpectation(data, "x.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if diff := e.Check(rep); diff != "" {
		t.Errorf("a report does not match its own expectation:\n%s", diff)
	}
	e.Phase = "Succeeded"
	if e.Check(rep) == "" {
		t.Error("a different phase matched")
	}
	if _, err := engine.ParseExpectation([]byte("phase: Succeeded\nwavez: []\n"), "bad.yaml"); err == nil {
		t.Error("unknown field accepted")
	}
	if _, err := engine.ParseExpectation([]byte("waves: []\n"), "bad.yaml"); err == nil {
		t.Error("missing phase accepted")
	}
}

func TestMermaid(t *testing.T) {
	rep, err := engine.Replay(context.Background(), renderApp(t, "testdata/apps/syncfail"), engine.Options{Cluster: engine.Simulated(engine.SimOptions{Fail: []string{"Job/migrate"}})})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := (output.Mermaid{}).Write(&b, rep); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "syncfail.mermaid", b.Bytes())
}
