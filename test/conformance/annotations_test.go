package conformance_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/argoproj/argo-cd/v3/pkg/apis/application/v1alpha1"
	argokube "github.com/argoproj/argo-cd/v3/util/kube"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/argoproj/argo-cd/gitops-engine/v3/pkg/sync/common"
	"github.com/argoproj/argo-cd/gitops-engine/v3/pkg/sync/hook"
	resourceutil "github.com/argoproj/argo-cd/gitops-engine/v3/pkg/sync/resource"
	"github.com/argoproj/argo-cd/gitops-engine/v3/pkg/sync/syncwaves"
	"github.com/wavecheck/wavecheck/internal/argocd"
)

// annotationCases is how many annotation sets TestAnnotationFacts generates.
const annotationCases = 20000

// Items the generator draws list values from: every valid spelling, case variants, padded and
// unknown values, empty items.
var (
	argoHookItems = []string{"PreSync", "Sync", "PostSync", "SyncFail", "Skip", "PreDelete", "PostDelete",
		"presync", "PRESYNC", "postSync", "postdelete", "POSTDELETE", "Predelete", " PreSync", "PostDelete ",
		"\tSkip", "Unknown", "pre-install", "post-delete", "", " "}
	helmHookItems = []string{"pre-install", "pre-upgrade", "post-install", "post-upgrade", "pre-delete", "post-delete",
		"pre-rollback", "post-rollback", "test", "test-success", "crd-install", "Pre-Install", "PRE-DELETE",
		" post-delete", "pre-install ", "PreSync", "PostDelete", "", " "}
	argoPolicyItems = []string{"HookSucceeded", "HookFailed", "BeforeHookCreation", "hooksucceeded", "HOOKFAILED",
		"hook-succeeded", "before-hook-creation", "Never", " HookSucceeded", "", " "}
	helmPolicyItems = []string{"hook-succeeded", "hook-failed", "before-hook-creation", "Hook-Succeeded",
		"HookSucceeded", "before_hook_creation", " hook-failed", "", " "}
	syncOptionItems = []string{"Prune=false", "Prune=true", "Prune=confirm", "prune=false", "Prune = false",
		"Delete=false", "Delete=confirm", "Delete=true", "PruneLast=true", "PruneLast=false", "Replace=true",
		"Replace=false", "Force=true", "ServerSideApply=true", "ServerSideApply=false", "Validate=false",
		"SkipDryRunOnMissingResource=true", "ApplyOutOfSyncOnly=true", "CreateNamespace=true",
		"ClientSideApplyMigration=false", "Prune", "Prune=", "=false", "Unknown=1", " Replace=true", "", " "}
	compareOptionItems = []string{"IgnoreExtraneous", "ServerSideDiff=true", "ServerSideDiff=false",
		"IncludeMutationWebhook=true", "ignoreextraneous", " IgnoreExtraneous", "", " "}
	separators = []string{",", ", ", " ,", " , ", ",,", ",\t"}
	waveValues = []string{"0", "1", "-1", "5", "+2", "-0", "+0", "007", "-007", "10", "-10", "100000",
		"2147483648", "-9223372036854775808", "9223372036854775807", "9223372036854775808",
		"1.5", "1e3", "0x10", " 1", "1 ", "", " ", "abc", "--1", "+-1", "\u0663", "1_000", "٣"}
	// Other keys an object may carry (unrelated to Argo CD, or near misses).
	otherKeys = []string{"example.com/owner", "argocd.argoproj.io/Hook", "helm.sh/Hook", "argocd.argoproj.io/sync-wave ",
		"helm.sh/resource-policy", "argocd.argoproj.io/tracking-id"}
)

type annGen struct{ r *rand.Rand }

func (g annGen) pick(list []string) string { return list[g.r.IntN(len(list))] }

// list joins 1-4 items with random separators and sometimes pads the whole value.
func (g annGen) list(items []string) string {
	n := 1 + g.r.IntN(4)
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(g.pick(separators))
		}
		b.WriteString(g.pick(items))
	}
	s := b.String()
	switch g.r.IntN(10) {
	case 0:
		s = " " + s
	case 1:
		s += ","
	}
	return s
}

// nonString is a value YAML may give an annotation that is not a string.
func (g annGen) nonString() any {
	return []any{int64(5), float64(1.5), true, nil, []any{"PreSync"}, map[string]any{"a": "b"}, int64(-1)}[g.r.IntN(7)]
}

// annotations generates one annotation set; about 1 in 30 holds a non-string value and about 1
// in 200 is not a map at all.
func (g annGen) annotations() any {
	if g.r.IntN(200) == 0 {
		return []any{"argocd.argoproj.io/hook", "PreSync"}
	}
	m := map[string]any{}
	add := func(p int, key string, value func() string) {
		if g.r.IntN(100) < p {
			m[key] = value()
		}
	}
	add(55, argocd.AnnotationHook, func() string { return g.list(argoHookItems) })
	add(35, argocd.AnnotationHelmHook, func() string { return g.list(helmHookItems) })
	add(40, argocd.AnnotationSyncWave, func() string { return g.pick(waveValues) })
	add(30, argocd.AnnotationHelmWeight, func() string { return g.pick(waveValues) })
	add(30, argocd.AnnotationHookDeletePolicy, func() string { return g.list(argoPolicyItems) })
	add(25, argocd.AnnotationHelmDeletePolicy, func() string { return g.list(helmPolicyItems) })
	add(30, argocd.AnnotationSyncOptions, func() string { return g.list(syncOptionItems) })
	add(15, argocd.AnnotationCompareOptions, func() string { return g.list(compareOptionItems) })
	add(20, g.pick(otherKeys), func() string { return g.pick(waveValues) })
	if g.r.IntN(30) == 0 {
		keys := []string{argocd.AnnotationHook, argocd.AnnotationSyncWave, argocd.AnnotationHelmHook, "example.com/replicas"}
		m[g.pick(keys)] = g.nonString()
	}
	return m
}

func (g annGen) object() map[string]any {
	md := map[string]any{"name": "obj"}
	if g.r.IntN(20) != 0 {
		md["annotations"] = g.annotations()
	}
	return map[string]any{"apiVersion": "batch/v1", "kind": "Job", "metadata": md}
}

func strs[T ~string](in []T) []string {
	var out []string
	for _, v := range in {
		out = append(out, string(v))
	}
	return out
}

// Sync option queries: everything gitops-engine's sync_context.go and the controller ask of the
// sync-options and compare-options annotations.
var (
	syncOptionQueries = []string{common.SyncOptionSkipDryRunOnMissingResource, common.SyncOptionsDisableValidation,
		common.SyncOptionPruneLast, common.SyncOptionReplace, common.SyncOptionDisableReplace, common.SyncOptionForce,
		common.SyncOptionServerSideApply, common.SyncOptionDisableServerSideApply, common.SyncOptionApplyOutOfSyncOnly,
		common.SyncOptionClientSideApplyMigration, common.SyncOptionDisableClientSideApplyMigration, "Prune=false"}
	syncOptionKeys       = []string{common.SyncOptionPrune, common.SyncOptionDelete, "Replace", "ServerSideApply", "Validate", ""}
	compareOptionQueries = []string{"IgnoreExtraneous", "ServerSideDiff=true", "ServerSideDiff=false", "IncludeMutationWebhook=true"}
)

// compare returns the names of the facts that differ from Argo CD's own answers for u.
func compare(u *unstructured.Unstructured, f argocd.Facts) map[string]string {
	diff := map[string]string{}
	check := func(name string, argo, ours any) {
		if fmt.Sprint(argo) != fmt.Sprint(ours) {
			diff[name] = fmt.Sprintf("argo cd %v, wavecheck %v", argo, ours)
		}
	}
	// gitops-engine pkg/sync/hook, pkg/sync/syncwaves.
	check("hook.Types", strs(hook.Types(u)), f.HookTypes)
	check("hook.IsHook", hook.IsHook(u), f.GitOpsEngineHook)
	check("hook.Skip", hook.Skip(u), f.Skip)
	check("syncwaves.Wave", syncwaves.Wave(u), f.Wave)
	check("hook.DeletePolicies", strs(hook.DeletePolicies(u)), f.DeletePolicies)
	// Argo CD's repo-server: annotation tracking (util/kube.SetAppInstanceAnnotation) refuses
	// an object whose annotations hold a non-string value, null included.
	check("kube.SetAppInstanceAnnotation refuses", argokube.SetAppInstanceAnnotation(u.DeepCopy(), "argocd.argoproj.io/tracking-id", "app:/ConfigMap:ns/x") != nil, f.TrackingRefused())
	// pkg/sync/resource: the option lists and every option gitops-engine and the controller test.
	check("GetAnnotationCSVs(sync-options)", resourceutil.GetAnnotationCSVs(u, common.AnnotationSyncOptions), f.SyncOptions)
	check("GetAnnotationCSVs(compare-options)", resourceutil.GetAnnotationCSVs(u, "argocd.argoproj.io/compare-options"), f.CompareOptions)
	for _, q := range syncOptionQueries {
		check("HasAnnotationOption(sync-options, "+q+")", resourceutil.HasAnnotationOption(u, common.AnnotationSyncOptions, q), f.HasSyncOption(q))
	}
	for _, k := range syncOptionKeys {
		argo := "<nil>"
		if v := resourceutil.GetAnnotationOptionValue(u, common.AnnotationSyncOptions, k); v != nil {
			argo = *v
		}
		ours := "<nil>"
		if v, ok := f.SyncOptionValue(k); ok {
			ours = v
		}
		check("GetAnnotationOptionValue(sync-options, "+k+")", argo, ours)
		// The same list as an Application's syncPolicy.syncOptions (SyncOptions.GetOptionValue).
		app := "<nil>"
		if v := v1alpha1.SyncOptions(f.SyncOptions).GetOptionValue(k); v != nil {
			app = *v
		}
		ours = "<nil>"
		if v, ok := argocd.OptionValue(f.SyncOptions, k); ok {
			ours = v
		}
		check("SyncOptions.GetOptionValue("+k+")", app, ours)
	}
	for _, q := range compareOptionQueries {
		check("HasAnnotationOption(compare-options, "+q+")", resourceutil.HasAnnotationOption(u, "argocd.argoproj.io/compare-options", q), f.HasCompareOption(q))
	}
	// Argo CD's application controller (controller/hook.go, controller/state.go).
	check("controller.isPreDeleteHook", isPreDeleteHook(u), slices.Contains(f.DeleteHookTypes, argocd.HookPreDelete))
	check("controller.isPostDeleteHook", isPostDeleteHook(u), slices.Contains(f.DeleteHookTypes, argocd.HookPostDelete))
	check("controller.isHook", controllerIsHook(u), f.Hook)
	check("controller.hasGitOpsEngineSyncPhaseHook", hasGitOpsEngineSyncPhaseHook(u), slices.ContainsFunc(f.HookTypes, func(t string) bool {
		return t != argocd.HookSkip
	}))
	synced, pre, post := partitionTargetObjsForSync([]*unstructured.Unstructured{u})
	check("controller.partitionTargetObjsForSync (kept out of syncs)", len(synced) == 0, f.DeletionOnly)
	check("controller.partitionTargetObjsForSync (PreDelete, PostDelete)", []bool{pre, post},
		[]bool{slices.Contains(f.FinalizerHookTypes, argocd.HookPreDelete), slices.Contains(f.FinalizerHookTypes, argocd.HookPostDelete)})
	// The sync phases wavecheck plans the object in: gitops-engine runs a non-hook in Sync and a
	// hook in each of its sync-phase types; the controller keeps deletion-only objects out.
	var phases []string
	if len(synced) == 1 && !hook.Skip(u) {
		if hook.IsHook(u) {
			for _, t := range hook.Types(u) {
				if t != common.HookTypeSkip && !slices.Contains(phases, string(t)) {
					phases = append(phases, string(t))
				}
			}
			slices.SortFunc(phases, func(a, b string) int { return argocd.PhaseOrder(a) - argocd.PhaseOrder(b) })
		} else {
			phases = []string{argocd.PhaseSync}
		}
	}
	check("sync phases", phases, f.SyncPhases)
	return diff
}

// TestAnnotationFacts generates annotation sets (hook lists in Argo CD and Helm spelling with
// case variants, padding, empty and unknown items; waves and weights, numeric or not, signed,
// with leading zeros or out of range; delete policies; sync and compare options; non-string
// values) and checks that wavecheck's facts for the latest Argo CD (internal/argocd.Analyze)
// equal what gitops-engine v3.6.1 and Argo CD v3.6.1's controller compute for the same object.
func TestAnnotationFacts(t *testing.T) {
	start := time.Now()
	g := annGen{r: rand.New(rand.NewPCG(11, 2026))}
	mismatches, coverage := map[string]int{}, map[string]int{}
	examples := map[string]string{}
	for i := range annotationCases {
		obj := g.object()
		f := argocd.Analyze(obj, argocd.Options{})
		for name, hit := range map[string]bool{
			"hook": f.GitOpsEngineHook, "skip": f.Skip, "deletion hook": len(f.DeleteHookTypes) > 0,
			"deletion only": f.DeletionOnly, "PostDelete without finalizer": slices.Contains(f.DeleteHookTypes, argocd.HookPostDelete) && !slices.Contains(f.FinalizerHookTypes, argocd.HookPostDelete),
			"annotations dropped": f.AnnotationsDropped, "wave from sync-wave": f.WaveSource == "sync-wave",
			"wave from hook-weight": f.WaveSource == "hook-weight", "delete policy given": !f.DeletePoliciesDefaulted,
			"sync options": len(f.SyncOptions) > 0, "null annotation": len(f.NullAnnotations) > 0,
		} {
			if hit {
				coverage[name]++
			}
		}
		u := &unstructured.Unstructured{Object: obj}
		for name, d := range compare(u, f) {
			mismatches[name]++
			if _, ok := examples[name]; !ok {
				examples[name] = fmt.Sprintf("case %d, annotations %#v: %s", i, obj["metadata"].(map[string]any)["annotations"], d)
			}
		}
	}
	names := make([]string, 0, len(mismatches))
	for n := range mismatches {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		t.Errorf("%s differs in %d of %d cases, e.g. %s", n, mismatches[n], annotationCases, examples[n])
	}
	// The generator must reach every kind of case it is meant to (at least 0.2 % each).
	for _, name := range []string{"hook", "skip", "deletion hook", "deletion only", "PostDelete without finalizer",
		"annotations dropped", "wave from sync-wave", "wave from hook-weight", "delete policy given", "sync options", "null annotation"} {
		if coverage[name] < annotationCases/500 {
			t.Errorf("only %d of %d generated cases have %s", coverage[name], annotationCases, name)
		}
	}
	t.Logf("%d generated annotation sets compared in %s; coverage %v", annotationCases, time.Since(start).Round(time.Millisecond), coverage)
}
