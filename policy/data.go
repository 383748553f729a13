package policy

import (
	"fmt"
	"slices"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/wavecheck/wavecheck/internal/argocd"
	"github.com/wavecheck/wavecheck/internal/manifest"
)

// factsValue builds the AST of the document rules see as data.wavecheck.objects[_].argocd:
// the shape encoding/json gives the facts, with empty lists instead of null (see
// TestFactsValueMatchesJSON). It is built directly because converting Go maps with
// ast.InterfaceToValue costs more, at 5,000 objects, than evaluating most rules.
func factsValue(f argocd.Facts) *ast.Term {
	ann := ast.NullTerm()
	if f.Annotations != nil {
		items := make([][2]*ast.Term, 0, len(f.Annotations))
		for k, v := range f.Annotations {
			items = append(items, ast.Item(ast.StringTerm(k), ast.StringTerm(v)))
		}
		ann = ast.ObjectTerm(items...)
	}
	steps := make([]*ast.Term, 0, len(f.Steps))
	for _, s := range f.Steps {
		items := [][2]*ast.Term{item("phase", ast.StringTerm(s.Phase)), item("wave", ast.IntNumberTerm(s.Wave))}
		if s.Moved {
			items = append(items,
				item("moved", ast.BooleanTerm(true)),
				item("before", ast.StringTerm(s.Before)),
				item("declaredPhase", ast.StringTerm(s.DeclaredPhase)),
				item("declaredWave", ast.IntNumberTerm(s.DeclaredWave)))
		}
		steps = append(steps, ast.ObjectTerm(items...))
	}
	return ast.ObjectTerm(
		item("annotations", ann),
		item("nonStringAnnotations", strs(f.NonStringAnnotations)),
		item("annotationsDropped", ast.BooleanTerm(f.AnnotationsDropped)),
		item("nullAnnotations", strs(f.NullAnnotations)),
		item("annotationsNotMap", ast.BooleanTerm(f.AnnotationsNotMap)),
		item("hook", ast.BooleanTerm(f.Hook)),
		item("gitopsEngineHook", ast.BooleanTerm(f.GitOpsEngineHook)),
		item("skip", ast.BooleanTerm(f.Skip)),
		item("hookTypes", strs(f.HookTypes)),
		item("argocdHookValues", strs(f.ArgoCDHookValues)),
		item("helmHookValues", strs(f.HelmHookValues)),
		item("deleteHookTypes", strs(f.DeleteHookTypes)),
		item("ignoredDeleteHooks", ignoredDeleteHooks(f.IgnoredDeleteHooks)),
		item("deletionOnly", ast.BooleanTerm(f.DeletionOnly)),
		item("finalizerHookTypes", strs(f.FinalizerHookTypes)),
		item("syncDroppedPhases", strs(f.SyncDroppedPhases)),
		item("syncPhases", strs(f.SyncPhases)),
		item("wave", ast.IntNumberTerm(f.Wave)),
		item("waveSource", ast.StringTerm(f.WaveSource)),
		item("syncWaveInvalid", ast.BooleanTerm(f.SyncWaveInvalid)),
		item("hookWeightInvalid", ast.BooleanTerm(f.HookWeightInvalid)),
		item("deletePolicies", strs(f.DeletePolicies)),
		item("deletePoliciesDefaulted", ast.BooleanTerm(f.DeletePoliciesDefaulted)),
		item("syncOptions", strs(f.SyncOptions)),
		item("compareOptions", strs(f.CompareOptions)),
		item("superseded", ast.BooleanTerm(f.Superseded)),
		item("steps", ast.ArrayTerm(steps...)),
		item("phase", ast.StringTerm(f.Phase)),
		item("effectiveWave", ast.IntNumberTerm(f.EffectiveWave)),
	)
}

// objectValue builds the AST of one element of data.wavecheck.objects (docs/policy.md).
func objectValue(i int, o manifest.Object, object ast.Value, f argocd.Facts) ast.Value {
	return ast.NewObject(
		item("index", ast.IntNumberTerm(i)),
		item("object", ast.NewTerm(object)),
		item("argocd", factsValue(f)),
		item("source", ast.ObjectTerm(
			item("file", ast.StringTerm(o.Source.File)),
			item("line", ast.IntNumberTerm(o.Source.Line)),
			item("doc", ast.IntNumberTerm(o.Source.Doc)))),
		item("ref", ast.StringTerm(o.Ref())),
		item("key", ast.StringTerm(objectKey(o))),
		item("group", ast.StringTerm(argocd.Group(o.APIVersion()))),
		item("unstable", strs(o.Unstable)),
	)
}

func ignoredDeleteHooks(l []argocd.IgnoredDeleteHook) *ast.Term {
	out := make([]*ast.Term, len(l))
	for i, h := range l {
		out[i] = ast.ObjectTerm(item("key", ast.StringTerm(h.Key)), item("value", ast.StringTerm(h.Value)),
			item("type", ast.StringTerm(h.Type)), item("item", ast.StringTerm(h.Item)))
	}
	return ast.ArrayTerm(out...)
}

func item(k string, v *ast.Term) [2]*ast.Term { return ast.Item(ast.StringTerm(k), v) }

// strs is a string list as an array (never null, so rules can count and iterate it).
func strs(s []string) *ast.Term {
	out := make([]*ast.Term, len(s))
	for i, v := range s {
		out[i] = ast.StringTerm(v)
	}
	return ast.ArrayTerm(out...)
}

// candidateSets computes data.wavecheck.sets: for each family of rules, the indices of the
// objects it needs to look at. Each set must equal its definition in lib.rego (the else
// branch of the rule of the same purpose); TestCandidateSets checks it. lookup is
// data.wavecheck.lookup (the indices of the named objects by lookup key, in object order).
func candidateSets(objs []manifest.Object, facts []argocd.Facts, lookup map[string][]int) map[string]any {
	names := []string{"hooks", "hookAnnotated", "deletePolicy", "syncOptions", "hookWeight", "applications", "rawIssues", "moved", "generateName", "workloads", "unstable", "customResources", "unnamed", "duplicates"}
	sets := make(map[string][]any, len(names))
	for _, n := range names {
		sets[n] = []any{}
	}
	add := func(name string, i int) { sets[name] = append(sets[name], i) }
	for i, o := range objs {
		f := facts[i]
		has := func(k string) bool { _, ok := f.Annotations[k]; return ok }
		if f.Hook {
			add("hooks", i)
		}
		if has(argocd.AnnotationHook) || has(argocd.AnnotationHelmHook) {
			add("hookAnnotated", i)
		}
		if has(argocd.AnnotationHookDeletePolicy) || has(argocd.AnnotationHelmDeletePolicy) {
			add("deletePolicy", i)
		}
		if has(argocd.AnnotationSyncOptions) {
			add("syncOptions", i)
		}
		if has(argocd.AnnotationHelmWeight) {
			add("hookWeight", i)
		}
		if o.Kind() == "Application" && argocd.Group(o.APIVersion()) == "argoproj.io" {
			add("applications", i)
		}
		if f.SyncWaveInvalid || f.AnnotationsDropped || len(f.NullAnnotations) > 0 || f.AnnotationsNotMap {
			add("rawIssues", i)
		}
		for _, s := range f.Steps {
			if s.Moved {
				add("moved", i)
				break
			}
		}
		if o.GenerateName() != "" && o.Name() == "" {
			add("generateName", i)
		}
		if !f.Hook && slices.Contains(f.SyncPhases, argocd.PhaseSync) && workloadKinds[argocd.Group(o.APIVersion())+"/"+o.Kind()] {
			add("workloads", i)
		}
		if len(o.Unstable) > 0 {
			add("unstable", i)
		}
		if !builtinGroups[argocd.Group(o.APIVersion())] {
			add("customResources", i)
		}
		if o.Name() == "" { // missing, empty or not a string
			add("unnamed", i)
		}
	}
	var dups []int
	for _, idx := range lookup {
		if len(idx) > 1 {
			dups = append(dups, idx...)
		}
	}
	slices.Sort(dups)
	for _, i := range dups {
		add("duplicates", i)
	}
	out := make(map[string]any, len(sets))
	for k, v := range sets {
		out[k] = v
	}
	return out
}

// workloadKinds are the group/kind of the objects whose health needs running pods (lib.rego
// workload_kinds): Argo CD's Sync phase is not healthy until they are.
var workloadKinds = map[string]bool{
	"apps/Deployment": true, "apps/StatefulSet": true, "apps/DaemonSet": true, "apps/ReplicaSet": true,
	"/Pod": true, "/ReplicationController": true, "batch/Job": true,
}

// builtinGroups are the API groups built into Kubernetes (lib.rego builtin_groups): a custom
// resource is an object of any other group.
var builtinGroups = map[string]bool{
	"": true, "admissionregistration.k8s.io": true, "apiextensions.k8s.io": true, "apiregistration.k8s.io": true, "apps": true,
	"authentication.k8s.io": true, "authorization.k8s.io": true, "autoscaling": true, "batch": true, "certificates.k8s.io": true,
	"coordination.k8s.io": true, "discovery.k8s.io": true, "events.k8s.io": true, "extensions": true,
	"flowcontrol.apiserver.k8s.io": true, "internal.apiserver.k8s.io": true, "networking.k8s.io": true, "node.k8s.io": true,
	"policy": true, "rbac.authorization.k8s.io": true, "resource.k8s.io": true, "scheduling.k8s.io": true, "storage.k8s.io": true,
	"storagemigration.k8s.io": true,
}

// fullViewKinds are the kinds whose spec a built-in rule reads even when the object is not a
// hook (CRDs for cr-without-crd; workloads whose pod spec hook rules read).
var fullViewKinds = map[string]bool{"CustomResourceDefinition": true, "Pod": true, "Job": true, "CronJob": true}

// builtinView is the part of an object the built-in rules read: the whole object for hooks,
// objects with hook annotations and the kinds in fullViewKinds, and apiVersion, kind and
// metadata for every other object. Converting only that to AST is most of what makes
// evaluation cheap on large apps; user policies always get the whole object.
func builtinView(o manifest.Object, f argocd.Facts) map[string]any {
	if f.Hook || len(f.HookTypes) > 0 || len(f.HelmHookValues) > 0 || len(f.ArgoCDHookValues) > 0 ||
		len(f.DeleteHookTypes) > 0 || len(f.IgnoredDeleteHooks) > 0 || fullViewKinds[o.Kind()] {
		return o.Object
	}
	v := make(map[string]any, 3)
	for _, k := range []string{"apiVersion", "kind", "metadata"} {
		if x, ok := o.Object[k]; ok {
			v[k] = x
		}
	}
	return v
}

// tablesValue is data.wavecheck.argocd: Argo CD's tables from internal/argocd (the one copy),
// converted once and shared, read-only, by every evaluation.
var tablesValue = sync.OnceValue(func() ast.Value {
	v, err := ast.InterfaceToValue(argocd.TablesDocument())
	if err != nil {
		panic(fmt.Sprintf("encode argo cd tables: %v", err)) // static data: cannot happen
	}
	return v
})

// versionDocument is data.wavecheck.argocd_version.
func versionDocument(v argocd.Version) map[string]any { return argocd.VersionDocument(v) }
