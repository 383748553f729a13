package engine

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/argoproj/argo-cd/gitops-engine/v3/pkg/sync/common"
	"github.com/wavecheck/wavecheck/internal/argocd"
	"github.com/wavecheck/wavecheck/internal/manifest"
	"github.com/wavecheck/wavecheck/plugin/render"
)

// planCorpora are the directories whose apps TestPlanConformance compares: every test app and
// example of the repository, and the shared corpus of real-world apps when the machine has it.
var planCorpora = []struct {
	root     string
	optional bool
}{
	{root: "../examples"},
	{root: "testdata/apps"},
	{root: "testdata/corpus"},
	{root: "../policy/testdata"},
	{root: "../test/cluster/testdata", optional: true},
	{root: "/work/shared/corpus", optional: true},
}

// appDirs lists the app directories under root: every directory holding manifests, a chart or
// a kustomization (a chart's own subdirectories are not apps).
func appDirs(t *testing.T, root string) []string {
	t.Helper()
	var dirs []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		if strings.HasPrefix(d.Name(), ".") && p != root {
			return filepath.SkipDir
		}
		typ := render.Detect(p)
		ents, err := os.ReadDir(p)
		if err != nil {
			return err
		}
		if typ != render.Directory || slices.ContainsFunc(ents, func(e fs.DirEntry) bool {
			ext := filepath.Ext(e.Name())
			return !e.IsDir() && (ext == ".yaml" || ext == ".yml" || ext == ".json")
		}) {
			dirs = append(dirs, p)
		}
		if typ == render.Helm {
			return filepath.SkipDir
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return dirs
}

// TestPlanConformance checks that the lint's effective phase and wave (internal/argocd.Plan,
// pure Go) equal the replay's plan, which gitops-engine computes itself (engine.Plan: the
// engine's sync tasks after sorting and its Namespace/CRD dependency moves), task for task,
// on every test app and example.
func TestPlanConformance(t *testing.T) {
	ctx := context.Background()
	compared, tasks := 0, 0
	for _, c := range planCorpora {
		if _, err := os.Stat(c.root); err != nil {
			if c.optional {
				t.Logf("skip %s: %v", c.root, err)
				continue
			}
			t.Fatal(err)
		}
		for _, dir := range appDirs(t, c.root) {
			res, err := render.Render(ctx, dir, render.Options{RepoRoot: c.root})
			if err != nil || len(res.Objects) == 0 {
				// Cases of render errors (bad input) have no plan to compare.
				t.Logf("skip %s: %v", dir, err)
				continue
			}
			objs := res.Objects
			opts := Options{}.withDefaults()
			want, err := Plan(ctx, objs, Options{})
			if err != nil {
				t.Logf("skip %s: gitops-engine plan: %v", dir, err)
				continue
			}
			var wantRows []string
			for _, tk := range want.Tasks {
				wantRows = append(wantRows, fmt.Sprintf("%s %d %s/%s %s", tk.Phase, tk.Wave, tk.Group, tk.Kind, tk.Name))
			}
			facts, plan := argocd.Plan(objs, argocd.Options{Namespace: opts.Namespace})
			var gotRows []string
			for _, tk := range plan {
				o := objs[tk.Object]
				gotRows = append(gotRows, fmt.Sprintf("%s %d %s/%s %s", tk.Phase, tk.Wave, argocd.Group(o.APIVersion()), o.Kind(),
					taskName(o, facts[tk.Object].GitOpsEngineHook, opts, tk.Phase)))
			}
			if diff := cmp.Diff(wantRows, gotRows); diff != "" {
				t.Errorf("%s: internal/argocd.Plan differs from gitops-engine's plan (-engine +argocd):\n%s", dir, diff)
			}
			compared++
			tasks += len(wantRows)
		}
	}
	t.Logf("compared %d apps, %d tasks", compared, tasks)
	if compared < 40 {
		t.Errorf("compared only %d apps; the corpora hold more", compared)
	}
}

// taskName is the name gitops-engine gives the task: the object's name, or for a generateName
// hook the name the replay's fixed revision and start time produce.
func taskName(o manifest.Object, hook bool, opts Options, phase string) string {
	if o.Name() != "" || !hook {
		return o.Name()
	}
	return generatedName(&unstructured.Unstructured{Object: o.Object}, opts, common.SyncPhase(phase))
}
