package cluster_test

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"k8s.io/client-go/kubernetes"

	"github.com/wavecheck/wavecheck/engine"
	"github.com/wavecheck/wavecheck/engine/output"
	"github.com/wavecheck/wavecheck/internal/manifest"
	"github.com/wavecheck/wavecheck/plugin/render"
	"github.com/wavecheck/wavecheck/test/cluster"
)

var update = flag.Bool("update", false, "rewrite testdata/expect from the simulated replays")

// appsRoot holds the test apps: Argo CD's example apps and our failing-hook
// app (see testdata/apps/README.md).
const appsRoot = "testdata/apps"

// replayApps are replayed on both clusters, with the final phase each must
// reach.
var replayApps = []struct {
	name  string
	phase string
}{
	{name: "guestbook", phase: "Succeeded"},
	{name: "sync-waves", phase: "Succeeded"},
	{name: "pre-post-sync", phase: "Succeeded"},
	{name: "helm-hooks", phase: "Succeeded"},
	{name: "failing-hook", phase: "Failed"},
}

// TestReplaySimulated pins the simulated replay of every test app to
// testdata/expect/<app>.yaml (phase, and Kind/name per phase and wave), the
// format of `wavecheck replay --expect`. Refresh with -update.
func TestReplaySimulated(t *testing.T) {
	for _, app := range replayApps {
		t.Run(app.name, func(t *testing.T) {
			objs := renderApp(t, app.name)
			rep, err := engine.Replay(t.Context(), objs, replayOptions(app.name, "default", engine.Simulated(simOptions(objs))))
			if err != nil {
				t.Fatalf("simulated replay: %v", err)
			}
			if rep.Phase != app.phase {
				t.Errorf("simulated replay ended %s (%s), want %s\n%s", rep.Phase, rep.Message, app.phase, reportText(t, rep))
			}
			got, err := engine.ExpectationOf(rep).Marshal()
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "expect", app.name+".yaml")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("read golden file (refresh with -update): %v", err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("simulated replay of %s differs from %s (-want +got):\n%s", app.name, golden, diff)
			}
		})
	}
}

// TestReplayRealMatchesSimulated replays every test app against the real
// control plane and against the simulated cluster, and requires the same
// final phase and the same steps in the same order: phase, effective wave,
// action, Kind/namespace/name, hook type and result. Only times and
// messages may differ.
func TestReplayRealMatchesSimulated(t *testing.T) {
	c := startCluster(t)
	client, err := kubernetes.NewForConfig(c.Config)
	if err != nil {
		t.Fatal(err)
	}
	for _, app := range replayApps {
		t.Run(app.name, func(t *testing.T) {
			objs := renderApp(t, app.name)
			// The app goes into a namespace of its own on both clusters, so
			// the step namespaces compare too.
			ns := newNamespace(t, client)

			sim, err := engine.Replay(t.Context(), objs, replayOptions(app.name, ns, engine.Simulated(simOptions(objs))))
			if err != nil {
				t.Fatalf("simulated replay: %v", err)
			}

			ctx, cancel := context.WithTimeout(t.Context(), 4*time.Minute)
			defer cancel()
			opts := replayOptions(app.name, ns, engine.Real(c.Config))
			opts.Progress = testWriter{t}
			began := time.Now()
			onCluster, err := engine.Replay(ctx, objs, opts)
			if err != nil {
				t.Fatalf("real-cluster replay: %v", err)
			}
			t.Logf("real-cluster replay of %s: %s in %s, %d steps", app.name, onCluster.Phase, time.Since(began).Round(time.Millisecond), len(onCluster.Steps))

			if onCluster.Phase != app.phase || sim.Phase != app.phase {
				t.Errorf("final phase: real %s (%s), simulated %s (%s), want %s", onCluster.Phase, onCluster.Message, sim.Phase, sim.Message, app.phase)
			}
			if diff := cmp.Diff(engine.ExpectationOf(sim), engine.ExpectationOf(onCluster), cmpopts.IgnoreUnexported(engine.Expectation{})); diff != "" {
				t.Errorf("real-cluster order differs from the simulated one (-simulated +real):\n%s", diff)
			}
			if diff := cmp.Diff(sim.Order(), onCluster.Order()); diff != "" {
				t.Errorf("real-cluster steps differ from the simulated ones (-simulated +real):\n%s", diff)
			}
			if t.Failed() {
				t.Logf("simulated replay:\n%s\nreal-cluster replay:\n%s", reportText(t, sim), reportText(t, onCluster))
			}
		})
	}
}

// TestFailingHookRunsSyncFail checks the failure path itself on the real
// cluster, not only its agreement with the simulation: the failing Sync
// hook fails, the SyncFail hook runs and succeeds, and nothing after the
// failed wave is applied.
func TestFailingHookRunsSyncFail(t *testing.T) {
	c := startCluster(t)
	client, err := kubernetes.NewForConfig(c.Config)
	if err != nil {
		t.Fatal(err)
	}
	objs := renderApp(t, "failing-hook")
	ns := newNamespace(t, client)
	ctx, cancel := context.WithTimeout(t.Context(), 4*time.Minute)
	defer cancel()
	rep, err := engine.Replay(ctx, objs, replayOptions("failing-hook-alone", ns, engine.Real(c.Config)))
	if err != nil {
		t.Fatalf("real-cluster replay: %v", err)
	}
	results := map[string]string{}
	for _, s := range rep.Steps {
		if s.Action == "apply" {
			results[s.Ref()] = s.SyncPhase + " " + s.Result
		}
	}
	want := map[string]string{
		"Job/db-check":       "PreSync Succeeded",
		"ConfigMap/settings": "Sync Synced",
		"Job/migrate":        "Sync Failed",
		"Job/notify-failure": "SyncFail Succeeded",
	}
	if diff := cmp.Diff(want, results); diff != "" || rep.Phase != "Failed" {
		t.Errorf("failing-hook replay ended %s; applied steps (-want +got):\n%s\n%s", rep.Phase, diff, reportText(t, rep))
	}
}

// renderApp renders a test app as Argo CD's repo-server would.
func renderApp(t *testing.T, name string) []manifest.Object {
	t.Helper()
	res, err := render.Render(t.Context(), filepath.Join(appsRoot, name), render.Options{RepoRoot: appsRoot, AppName: name})
	if err != nil {
		t.Fatalf("render %s: %v", name, err)
	}
	return res.Objects
}

// replayOptions are the options shared by both backends. Each app gets its
// own tracking label value, so replays never see each other's objects.
func replayOptions(app, ns string, c engine.Cluster) engine.Options {
	return engine.Options{
		Cluster:   c,
		Namespace: ns,
		AppName:   "e2e-" + app,
		Timeout:   3 * time.Minute,
	}
}

// simOptions makes the simulated cluster fail what kwok fails on the real
// one: every Job whose pod template carries cluster.FailAnnotation.
func simOptions(objs []manifest.Object) engine.SimOptions {
	var o engine.SimOptions
	for _, obj := range objs {
		if obj.Kind() != "Job" {
			continue
		}
		ann, _ := dig(obj.Object, "spec", "template", "metadata", "annotations").(map[string]any)
		if v, _ := ann[cluster.FailAnnotation].(string); v == "true" {
			o.Fail = append(o.Fail, obj.Kind()+"/"+obj.Name())
		}
	}
	return o
}

func dig(v any, path ...string) any {
	for _, p := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[p]
	}
	return v
}

func reportText(t *testing.T, rep *engine.Report) string {
	t.Helper()
	var b bytes.Buffer
	if err := (output.Text{}).Write(&b, rep); err != nil {
		return "(report: " + err.Error() + ")"
	}
	return b.String()
}

// testWriter sends the replay's progress lines to the test log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
