package conformance_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wavecheck/wavecheck/internal/argocd"
)

// TestDeleteHookVersionGates reads Argo CD's controller source of every release in the module
// cache and checks that wavecheck's version gates for deletion hooks match it:
//
//   - controller/hook.go isHookOfType compares the whole annotation value
//     (`if val, ok := obj.GetAnnotations()[k]; ok && val == v {`, e.g. v3.3.2 line 46) before
//     argocd.DeleteHookListSince, and the trimmed comma-separated items
//     (`strings.TrimSpace(item) == v`, v3.3.3 line 49) from it;
//   - controller/state.go keeps deletion hooks with a sync phase in syncs
//     (partitionTargetObjsForSync calling hasGitOpsEngineSyncPhaseHook) from
//     argocd.DeleteHookSyncKeptSince, and drops every deletion hook from
//     argocd.DeleteHooksOutOfSyncSince ("Skip PreDelete hooks - they are not synced").
//
// Releases not in the cache are skipped (this test documents the gates; the generated cases of
// TestAnnotationFacts check v3.6.1's behaviour itself). `go mod download
// github.com/argoproj/argo-cd/v3@v3.3.2` and so on adds one.
func TestDeleteHookVersionGates(t *testing.T) {
	out, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		t.Fatal(err)
	}
	dirs, err := filepath.Glob(filepath.Join(strings.TrimSpace(string(out)), "github.com", "argoproj", "argo-cd", "v3@v3.*"))
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, dir := range dirs {
		v, err := argocd.ParseVersion(strings.TrimPrefix(filepath.Base(dir), "v3@"))
		if err != nil {
			continue
		}
		hookSrc, err1 := os.ReadFile(filepath.Join(dir, "controller", "hook.go"))
		stateSrc, err2 := os.ReadFile(filepath.Join(dir, "controller", "state.go"))
		if err1 != nil || err2 != nil {
			continue
		}
		hook, state := string(hookSrc), string(stateSrc)
		exact := strings.Contains(hook, "ok && val == v {")
		split := strings.Contains(hook, "strings.TrimSpace(item) == v")
		if exact == split {
			t.Errorf("%s: controller/hook.go matches neither or both deletion hook readings", v)
		}
		if want := v.AtLeast(argocd.DeleteHookListSince); split != want {
			t.Errorf("%s: controller/hook.go splits hook lists = %v, wavecheck assumes %v (DeleteHookListSince %s)", v, split, want, argocd.DeleteHookListSince)
		}
		kept := strings.Contains(state, "if !hasGitOpsEngineSyncPhaseHook(obj) {")
		if want := v.AtLeast(argocd.DeleteHookSyncKeptSince); kept != want {
			t.Errorf("%s: controller/state.go keeps deletion hooks with a sync phase = %v, wavecheck assumes %v", v, kept, want)
		}
		dropped := strings.Contains(state, "if isPreDeleteHook(obj) {")
		if want := v.AtLeast(argocd.DeleteHooksOutOfSyncSince); dropped != want {
			t.Errorf("%s: controller/state.go filters deletion hooks out of syncs = %v, wavecheck assumes %v", v, dropped, want)
		}
		checked++
		t.Logf("%s: lists %v, out of syncs %v, sync phases kept %v", v, split, dropped, kept)
	}
	if checked == 0 {
		t.Skip("no Argo CD v3 source in the module cache")
	}
}
