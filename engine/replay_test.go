package engine_test

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/wavecheck/wavecheck/engine"
	"github.com/wavecheck/wavecheck/engine/output"
	"github.com/wavecheck/wavecheck/internal/manifest"
	"github.com/wavecheck/wavecheck/plugin/render"
	"github.com/wavecheck/wavecheck/test/golden"
)

// corpus holds copies of Argo CD's example apps.
const corpus = "testdata/corpus"

func renderApp(t testing.TB, dir string) []manifest.Object {
	t.Helper()
	opts := render.Options{}
	if strings.HasPrefix(dir, corpus) {
		opts.RepoRoot = corpus
	}
	res, err := render.Render(context.Background(), dir, opts)
	if err != nil {
		t.Fatalf("render %s: %v", dir, err)
	}
	return res.Objects
}

func corpusApp(name string) string {
	return filepath.Join(corpus, name)
}

func liveObjects(t testing.TB, file string) []manifest.Object {
	t.Helper()
	res, err := render.Render(context.Background(), filepath.Dir(file), render.Options{SourceType: render.Directory, Include: []string{filepath.Base(file)}})
	if err != nil {
		t.Fatalf("render live %s: %v", file, err)
	}
	return res.Objects
}

// checkGolden compares got with testdata/golden/name, rewriting it with -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	golden.Check(t, filepath.Join("testdata", "golden", name), got)
}

type replayCase struct {
	name   string
	dir    string
	corpus bool
	sim    engine.SimOptions
	live   string
	opts   engine.Options
	delete bool
	// check asserts the facts the case is about, beyond the golden timeline
	check func(t *testing.T, rep *engine.Report)
}

func stepRefs(rep *engine.Report, phase string, wave int) []string {
	var out []string
	for _, s := range rep.Steps {
		if s.SyncPhase == phase && s.Wave == wave {
			out = append(out, s.Action+" "+s.Ref())
		}
	}
	return out
}

func findStep(t *testing.T, rep *engine.Report, action, ref string) engine.Step {
	t.Helper()
	for _, s := range rep.Steps {
		if s.Action == action && s.Ref() == ref {
			return s
		}
	}
	t.Fatalf("no step %s %s in %+v", action, ref, rep.Steps)
	return engine.Step{}
}

// inOrder reports whether steps ran in the order given (strictly increasing Seq).
func inOrder(steps ...engine.Step) bool {
	for i := 1; i < len(steps); i++ {
		if steps[i-1].Seq >= steps[i].Seq {
			return false
		}
	}
	return true
}

func replayCases() []replayCase {
	return []replayCase{
		{name: "guestbook", dir: "guestbook", corpus: true, check: func(t *testing.T, rep *engine.Report) {
			if diff := cmp.Diff([]string{"apply Service/guestbook-ui", "apply Deployment/guestbook-ui"}, stepRefs(rep, "Sync", 0)); diff != "" {
				t.Errorf("kind order (-want +got):\n%s", diff)
			}
		}},
		{name: "sync-waves", dir: "sync-waves", corpus: true},
		{name: "pre-post-sync", dir: "pre-post-sync", corpus: true, check: func(t *testing.T, rep *engine.Report) {
			first, last := rep.Steps[0], rep.Steps[len(rep.Steps)-1]
			if first.Hook != "PreSync" || last.Action != "delete" {
				t.Errorf("want PreSync hook first and HookSucceeded deletions last, got %+v ... %+v", first, last)
			}
		}},
		{name: "helm-hooks", dir: "helm-hooks", corpus: true},
		{name: "helm-hooks-fail", dir: "helm-hooks", corpus: true, sim: engine.SimOptions{Fail: []string{"Job/upgrade-sql-schema"}}, check: func(t *testing.T, rep *engine.Report) {
			if rep.Phase != "Failed" || len(rep.NotRun) != 4 {
				t.Errorf("want Failed with 4 tasks never run, got %s %+v", rep.Phase, rep.NotRun)
			}
		}},
		{name: "helm-guestbook", dir: "helm-guestbook", corpus: true},
		{name: "kustomize-guestbook", dir: "kustomize-guestbook", corpus: true},
		{name: "bubbling", dir: "testdata/apps/bubbling", check: func(t *testing.T, rep *engine.Report) {
			want := []string{"apply Namespace/team-a", "apply ConfigMap/settings"}
			if diff := cmp.Diff(want, stepRefs(rep, "Sync", 1)); diff != "" {
				t.Errorf("Namespace moved into wave 1 (-want +got):\n%s", diff)
			}
			want = []string{"apply ConfigMap/alpha", "apply Deployment/web", "apply CustomResourceDefinition/widgets.example.com", "apply Widget/gadget"}
			if diff := cmp.Diff(want, stepRefs(rep, "Sync", 2)); diff != "" {
				t.Errorf("CRD moved right before its CR (-want +got):\n%s", diff)
			}
			if ns := findStep(t, rep, "apply", "Namespace/team-a").Namespace; ns != "" {
				t.Errorf("cluster-scoped Namespace reported in namespace %q", ns)
			}
		}},
		{name: "syncfail", dir: "testdata/apps/syncfail", sim: engine.SimOptions{Fail: []string{"Job/migrate"}}, check: func(t *testing.T, rep *engine.Report) {
			if rep.Phase != "Failed" {
				t.Errorf("phase = %s, want Failed", rep.Phase)
			}
			del := findStep(t, rep, "delete", "Job/migrate")
			syncFail := findStep(t, rep, "apply", "ConfigMap/rollback-plan")
			if del.Seq > syncFail.Seq || !strings.Contains(del.Message, "HookFailed") {
				t.Errorf("HookFailed deletion %+v must come before SyncFail hooks %+v", del, syncFail)
			}
			findStep(t, rep, "apply", "Job/notify-failure-0000000-syncfail-1767225600")
			if len(rep.NotRun) != 1 || rep.NotRun[0].Ref() != "Deployment/api" {
				t.Errorf("never ran = %+v, want Deployment/api", rep.NotRun)
			}
		}},
		{name: "syncfail-reject", dir: "testdata/apps/syncfail", sim: engine.SimOptions{Fail: []string{"Pod/smoke"}}, check: func(t *testing.T, rep *engine.Report) {
			if s := findStep(t, rep, "apply", "Pod/smoke"); s.Result != "Failed" {
				t.Errorf("Pod/smoke = %+v, want Failed", s)
			}
		}},
		{name: "hang-timeout", dir: "testdata/apps/syncfail", sim: engine.SimOptions{Hang: []string{"Job/migrate"}}, opts: engine.Options{Timeout: time.Minute}, check: func(t *testing.T, rep *engine.Report) {
			if rep.Phase != "Failed" || !strings.Contains(rep.Message, "timed out") || rep.SimulatedSeconds != 60 {
				t.Errorf("want a timeout at 60s, got %s %q at %gs", rep.Phase, rep.Message, rep.SimulatedSeconds)
			}
			if s := findStep(t, rep, "delete", "Job/migrate"); !strings.Contains(s.Message, "terminated") {
				t.Errorf("running hook not deleted on termination: %+v", s)
			}
		}},
		{name: "replicaset-degraded", dir: "sync-waves", corpus: true, sim: engine.SimOptions{Fail: []string{"ReplicaSet/backend"}}, check: func(t *testing.T, rep *engine.Report) {
			if s := findStep(t, rep, "apply", "ReplicaSet/backend"); rep.Phase != "Failed" || s.Result != "Failed" {
				t.Errorf("degraded ReplicaSet in wave 0: phase %s, step %+v", rep.Phase, s)
			}
			if len(rep.NotRun) != 4 {
				t.Errorf("never ran = %+v, want the 4 tasks of waves 1-3", rep.NotRun)
			}
		}},
		{name: "final-wave-not-health-checked", dir: "testdata/apps/bubbling", sim: engine.SimOptions{Fail: []string{"Deployment/web"}}, check: func(t *testing.T, rep *engine.Report) {
			if rep.Phase != "Succeeded" {
				t.Errorf("a Degraded Deployment in the final wave failed the sync: %s %s", rep.Phase, rep.Message)
			}
		}},
		{name: "degraded-reject", dir: "testdata/apps/bubbling", sim: engine.SimOptions{Fail: []string{"ConfigMap/settings"}}, check: func(t *testing.T, rep *engine.Report) {
			if s := findStep(t, rep, "apply", "ConfigMap/settings"); s.Result != "SyncFailed" || !strings.Contains(s.Message, "denied") {
				t.Errorf("apply not rejected: %+v", s)
			}
		}},
		{name: "prune", dir: "testdata/apps/prune", live: "testdata/apps/prune-live/live.yaml", opts: engine.Options{Prune: true}, check: func(t *testing.T, rep *engine.Report) {
			late, early := findStep(t, rep, "prune", "Secret/old-late"), findStep(t, rep, "prune", "ConfigMap/old-early")
			kept, last := findStep(t, rep, "apply", "ConfigMap/kept"), findStep(t, rep, "prune", "ConfigMap/old-last")
			if !inOrder(late, early, kept, last) {
				t.Errorf("prune order: want old-late, old-early, kept, old-last (PruneLast), got %+v", rep.Steps)
			}
			if s := findStep(t, rep, "prune", "ConfigMap/old-protected"); s.Result != "PruneSkipped" {
				t.Errorf("Prune=false pruned: %+v", s)
			}
		}},
		{name: "prune-disabled", dir: "testdata/apps/prune", live: "testdata/apps/prune-live/live.yaml", check: func(t *testing.T, rep *engine.Report) {
			for _, s := range rep.Steps {
				if s.Action == "prune" && s.Result != "PruneSkipped" {
					t.Errorf("pruned without Prune: %+v", s)
				}
			}
		}},
		// The Application's syncPolicy.syncOptions (engine/syncoptions.go, as controller/sync.go
		// passes them to gitops-engine).
		{name: "app-prune-last", dir: "testdata/apps/prune", live: "testdata/apps/prune-live/live.yaml", opts: engine.Options{Prune: true, SyncOptions: []string{"PruneLast=true"}}, check: func(t *testing.T, rep *engine.Report) {
			kept := findStep(t, rep, "apply", "ConfigMap/kept")
			for _, ref := range []string{"Secret/old-late", "ConfigMap/old-early", "ConfigMap/old-last"} {
				if s := findStep(t, rep, "prune", ref); !inOrder(kept, s) || s.Result == "PruneSkipped" {
					t.Errorf("app-wide PruneLast: %s must be pruned after the last apply, got %+v", ref, s)
				}
			}
			if s := findStep(t, rep, "prune", "ConfigMap/old-protected"); s.Result != "PruneSkipped" {
				t.Errorf("Prune=false on the object pruned: %+v", s)
			}
		}},
		{name: "app-prune-false", dir: "testdata/apps/prune", live: "testdata/apps/prune-live/live.yaml", opts: engine.Options{Prune: true, SyncOptions: []string{"Prune=false"}}, check: func(t *testing.T, rep *engine.Report) {
			for _, s := range rep.Steps {
				if s.Action == "prune" && s.Result != "PruneSkipped" {
					t.Errorf("app-wide Prune=false pruned: %+v", s)
				}
			}
		}},
		{name: "app-replace", dir: "testdata/apps/prune", live: "testdata/apps/prune-live/live.yaml", opts: engine.Options{SyncOptions: []string{"Replace=true"}}, check: func(t *testing.T, rep *engine.Report) {
			if s := findStep(t, rep, "update", "ConfigMap/kept"); s.Result != "Synced" || !strings.Contains(s.Message, "replaced") {
				t.Errorf("Replace=true: want the live ConfigMap replaced, got %+v", s)
			}
		}},
		{name: "app-apply-out-of-sync-only", dir: "testdata/apps/out-of-sync-only", live: "testdata/apps/out-of-sync-only-live/live.yaml", opts: engine.Options{SyncOptions: []string{"ApplyOutOfSyncOnly=true"}}, check: func(t *testing.T, rep *engine.Report) {
			var applied []string
			for _, s := range rep.Steps {
				if s.Action == "apply" {
					applied = append(applied, s.Ref())
				}
			}
			if want := []string{"ConfigMap/changed", "ConfigMap/new"}; !cmp.Equal(want, applied) {
				t.Errorf("ApplyOutOfSyncOnly: applied %v, want %v (ConfigMap/same is in sync)", applied, want)
			}
		}},
		{name: "apply-all-without-out-of-sync-only", dir: "testdata/apps/out-of-sync-only", live: "testdata/apps/out-of-sync-only-live/live.yaml", check: func(t *testing.T, rep *engine.Report) {
			findStep(t, rep, "apply", "ConfigMap/same")
		}},
		{name: "bhc", dir: "testdata/apps/bhc", live: "testdata/apps/bhc-live/live.yaml", check: func(t *testing.T, rep *engine.Report) {
			if s := rep.Steps[0]; s.Action != "delete" || s.Ref() != "Job/db-migrate" || !strings.Contains(s.Message, "BeforeHookCreation") {
				t.Errorf("first step = %+v, want BeforeHookCreation deletion of Job/db-migrate", s)
			}
			if got := stepRefs(rep, "PostSync", 0); len(got) != 2 || got[0] != "delete Job/check" {
				t.Errorf("PostSync steps = %v, want the PreSync,PostSync hook deleted and re-created", got)
			}
		}},
		{name: "presync-later-sa", dir: "testdata/apps/presync-later-sa", check: func(t *testing.T, rep *engine.Report) {
			s := findStep(t, rep, "apply", "Job/db-migrate")
			if rep.Phase != "Failed" || s.Result != "Failed" || rep.SimulatedSeconds != 300 ||
				!strings.Contains(s.Message, "Job was active longer than specified deadline") || !strings.Contains(s.Message, `serviceaccount "migrator" not found`) {
				t.Errorf("want the Job refused pods until its deadline (300s), naming the ServiceAccount; got %s at %gs, %+v", rep.Phase, rep.SimulatedSeconds, s)
			}
			findStep(t, rep, "apply", "ConfigMap/rollback-plan")
		}},
		{name: "presync-later-secret", dir: "testdata/apps/presync-later-secret", opts: engine.Options{Timeout: 2 * time.Minute}, check: func(t *testing.T, rep *engine.Report) {
			s := findStep(t, rep, "apply", "Pod/check-db")
			if rep.Phase != "Failed" || !strings.Contains(rep.Message, "timed out") || !strings.Contains(s.Message, `CreateContainerConfigError: secret "db-creds" not found`) {
				t.Errorf("want a timeout naming the Secret; got %s %q, %+v", rep.Phase, rep.Message, s)
			}
		}},
		{name: "later-secret-deployment", dir: "testdata/apps/later-secret-deployment", check: func(t *testing.T, rep *engine.Report) {
			s := findStep(t, rep, "apply", "Deployment/web")
			if rep.Phase != "Failed" || s.Result != "Failed" || !strings.Contains(s.Message, `secret "web-tls" not found`) || rep.SimulatedSeconds != 120 {
				t.Errorf("want the Deployment Degraded at its progress deadline naming the Secret; got %s at %gs, %+v", rep.Phase, rep.SimulatedSeconds, s)
			}
		}},
		{name: "cr-without-crd", dir: "testdata/apps/cr-without-crd", check: func(t *testing.T, rep *engine.Report) {
			s := findStep(t, rep, "apply", "Widget/gadget")
			if rep.Phase != "Failed" || s.Result != "SyncFailed" || !strings.Contains(rep.Message, "the server could not find the requested resource") || len(rep.Steps) != 1 {
				t.Errorf("want the sync refused before any apply; got %s %q, %+v", rep.Phase, rep.Message, rep.Steps)
			}
		}},
		{name: "cr-skip-dry-run", dir: "testdata/apps/cr-skip-dry-run", check: func(t *testing.T, rep *engine.Report) {
			if s := findStep(t, rep, "apply", "ConfigMap/settings"); s.Result != "Synced" {
				t.Errorf("ConfigMap not applied: %+v", s)
			}
			if s := findStep(t, rep, "apply", "Widget/gadget"); rep.Phase != "Failed" || s.Result != "SyncFailed" || !strings.Contains(s.Message, `no matches for kind "Widget"`) {
				t.Errorf("want the apply of the Widget refused; got %s, %+v", rep.Phase, s)
			}
		}},
		{name: "cr-with-live-crd", dir: "testdata/apps/cr-without-crd", live: "testdata/apps/crd-live/crd.yaml", check: func(t *testing.T, rep *engine.Report) {
			if s := findStep(t, rep, "apply", "Widget/gadget"); rep.Phase != "Succeeded" || s.Result != "Synced" {
				t.Errorf("want the Widget applied with its CRD live; got %s, %+v", rep.Phase, s)
			}
		}},
		{name: "app-of-apps", dir: "testdata/apps/app-of-apps", check: func(t *testing.T, rep *engine.Report) {
			if rep.Phase != "Succeeded" || findStep(t, rep, "apply", "Application/shop-web").Namespace != "argocd" {
				t.Errorf("app of apps: %s %q", rep.Phase, rep.Message)
			}
			if len(rep.Assumptions) != 1 || rep.Assumptions[0].About != "applicationHealth" {
				t.Errorf("assumptions = %+v, want the Application health", rep.Assumptions)
			}
		}},
		{name: "loadbalancer-cloud", dir: "testdata/apps/loadbalancer", sim: engine.SimOptions{Durations: map[string]time.Duration{"Service": 30 * time.Second}}, check: func(t *testing.T, rep *engine.Report) {
			if rep.Phase != "Succeeded" || findStep(t, rep, "apply", "Deployment/ingress-controller").AtSeconds != 30 {
				t.Errorf("want wave 1 once the Service has its address (30s): %s %+v", rep.Phase, rep.Steps)
			}
			if len(rep.Assumptions) != 1 || rep.Assumptions[0].Model != "cloud" {
				t.Errorf("assumptions = %+v, want the cloud load balancer", rep.Assumptions)
			}
		}},
		{name: "loadbalancer-none", dir: "testdata/apps/loadbalancer", sim: engine.SimOptions{LoadBalancer: engine.LoadBalancerNone}, opts: engine.Options{Timeout: 5 * time.Minute}, check: func(t *testing.T, rep *engine.Report) {
			s := findStep(t, rep, "apply", "Service/ingress-controller")
			if rep.Phase != "Failed" || !strings.Contains(rep.Message, "timed out") || !strings.Contains(s.Message, "--load-balancer none") {
				t.Errorf("want a timeout waiting for the Service's address; got %s %q, %+v", rep.Phase, rep.Message, s)
			}
			if len(rep.Assumptions) != 1 || rep.Assumptions[0].Model != "none" {
				t.Errorf("assumptions = %+v, want no load balancer", rep.Assumptions)
			}
		}},
		{name: "deletion", dir: "testdata/apps/deletion", delete: true, check: func(t *testing.T, rep *engine.Report) {
			backup, web := findStep(t, rep, "apply", "Job/backup"), findStep(t, rep, "delete", "Deployment/web")
			post := findStep(t, rep, "apply", "Job/cleanup-dns")
			if !inOrder(backup, web, post) {
				t.Errorf("want PreDelete, deletion, PostDelete, got %+v", rep.Steps)
			}
			if s := findStep(t, rep, "delete", "PersistentVolumeClaim/data"); s.Result != "DeleteSkipped" {
				t.Errorf("Delete=false deleted: %+v", s)
			}
		}},
		{name: "deletion-lists", dir: "testdata/apps/deletion-lists", delete: true, check: func(t *testing.T, rep *engine.Report) {
			// Regression: deletion hook types in a list ran in no stage (exact match), and a
			// hook with a sync type and a deletion type was not run at deletion.
			var got []string
			for _, s := range rep.Steps {
				if s.Action == "apply" {
					got = append(got, s.SyncPhase+" "+s.Kind+"/"+s.Name)
				}
			}
			want := []string{"PreDelete Job/teardown", "PostDelete Job/report", "PostDelete Job/teardown"}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("hooks applied (-want +got):\n%s", diff)
			}
			if rep.Phase != "Succeeded" {
				t.Errorf("phase = %s, want Succeeded", rep.Phase)
			}
		}},
		{name: "deletion-pre-post", dir: "testdata/apps/deletion-pre-post", delete: true, check: func(t *testing.T, rep *engine.Report) {
			var got []string
			for _, s := range rep.Steps {
				if s.Kind == "Job" {
					got = append(got, s.SyncPhase+" "+s.Action+" "+s.Result)
				}
			}
			want := []string{"PreDelete apply Succeeded", "PreDelete delete Deleted", "PostDelete skip Skipped"}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Job steps (-want +got):\n%s", diff)
			}
		}},
		{name: "deletion-prehook-fails", dir: "testdata/apps/deletion", delete: true, sim: engine.SimOptions{Fail: []string{"Job/backup"}}, check: func(t *testing.T, rep *engine.Report) {
			if rep.Phase != "Failed" {
				t.Errorf("phase = %s, want Failed", rep.Phase)
			}
			for _, s := range rep.Steps {
				if s.SyncPhase == engine.PhaseDelete {
					t.Errorf("resources deleted after a failed PreDelete hook: %+v", s)
				}
			}
		}},
	}
}

func TestReplay(t *testing.T) {
	for _, tc := range replayCases() {
		t.Run(tc.name, func(t *testing.T) {
			dir := tc.dir
			if tc.corpus {
				dir = corpusApp(tc.dir)
			}
			objs := renderApp(t, dir)
			if tc.live != "" {
				tc.sim.Live = liveObjects(t, tc.live)
			}
			opts := tc.opts
			opts.Cluster = engine.Simulated(tc.sim)
			replay := engine.Replay
			if tc.delete {
				replay = engine.ReplayDelete
			}
			rep, err := replay(context.Background(), objs, opts)
			if err != nil {
				t.Fatalf("replay: %v", err)
			}
			var js, txt bytes.Buffer
			if err := (output.JSON{}).Write(&js, rep); err != nil {
				t.Fatal(err)
			}
			if err := (output.Text{}).Write(&txt, rep); err != nil {
				t.Fatal(err)
			}
			checkGolden(t, tc.name+".json", js.Bytes())
			checkGolden(t, tc.name+".txt", txt.Bytes())
			// a replay is reproducible (generateName hooks included)
			again, err := replay(context.Background(), objs, opts)
			if err != nil {
				t.Fatalf("replay again: %v", err)
			}
			if diff := cmp.Diff(rep.Steps, again.Steps, cmp.AllowUnexported(engine.Step{})); diff != "" {
				t.Errorf("second replay differs (-first +second):\n%s", diff)
			}
			if tc.check != nil {
				tc.check(t, rep)
			}
		})
	}
}
