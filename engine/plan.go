package engine

import (
	"context"
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/argoproj/argo-cd/gitops-engine/v3/pkg/sync"
	"github.com/argoproj/argo-cd/gitops-engine/v3/pkg/sync/common"
	"github.com/argoproj/argo-cd/gitops-engine/v3/pkg/sync/hook"
	"github.com/argoproj/argo-cd/gitops-engine/v3/pkg/sync/syncwaves"
	"github.com/wavecheck/wavecheck/internal/argocd"
	"github.com/wavecheck/wavecheck/internal/manifest"
)

// PlanResult is gitops-engine's ordered task list for a sync of the app.
type PlanResult struct {
	// Tasks in the order the sync runs them (prune waves as the replay gives them).
	Tasks []Task `json:"tasks"`
	// NeverApplied are the objects of the app a sync never applies, each with the reason in
	// Notes (unknown hook type, Skip, a superseded duplicate).
	NeverApplied []Task `json:"neverApplied"`
	// DeletionHooks are the PreDelete/PostDelete-only objects Argo CD strips from syncs, in
	// execution order (PreDelete before PostDelete).
	DeletionHooks []Task `json:"deletionHooks"`
}

// Plan returns the sync's ordered tasks as gitops-engine sorts them, without running health:
// it builds the engine's sync context over a simulated cluster (with the live objects of
// opts.Cluster when it is Simulated, else an empty one; every custom resource's CRD assumed
// installed) and reads the task list the engine computes for its dry run. Prune tasks then
// get the wave the replay prunes them in (see runWaves), and every task the notes of what
// Argo CD reads differently from what the object says (argocd.Facts.Notes).
func Plan(ctx context.Context, objs []manifest.Object, opts Options) (*PlanResult, error) {
	if opts.Cluster == nil {
		opts.Cluster = Simulated(SimOptions{})
	}
	opts.Cluster = opts.Cluster.planner()
	opts = opts.withDefaults()
	opts.DryRun = true
	syncObjs, delHooks, b, err := open(objs, opts)
	if err != nil {
		return nil, err
	}
	defer b.close()
	r := newRun(b, opts)
	targets := unstructuredOf(syncObjs)
	if err := r.round(ctx, targets, r.withNamespaces(targets), func(sc sync.SyncContext) { sc.Sync(ctx) }); err != nil {
		return nil, err
	}
	_, tasks, _, _ := r.tr.take()
	if err := r.tr.check(); err != nil {
		return nil, err
	}
	if len(tasks) == 0 && len(targets) > 0 && !allNeverApplied(objs, opts) {
		return nil, fmt.Errorf("plan: gitops-engine built no task list: %s", r.message)
	}
	live, err := b.live(ctx, nil)
	if err != nil {
		return nil, err
	}
	facts := argocd.AnalyzeAll(objs, argocd.Options{Namespace: opts.Namespace, Version: opts.version()})
	index := map[*unstructured.Unstructured]int{}
	for _, o := range syncObjs {
		index[o.u] = o.idx
	}
	byKey := map[string]*unstructured.Unstructured{}
	add := func(u *unstructured.Unstructured, phases []common.SyncPhase) {
		ns := u.GetNamespace()
		if ns == "" {
			ns = opts.Namespace
		}
		gk := u.GroupVersionKind()
		for _, p := range phases {
			name := u.GetName()
			if name == "" {
				name = generatedName(u, opts, p)
			}
			byKey[fmt.Sprintf("%s/%s/%s/%s:%s", gk.Group, gk.Kind, ns, name, p)] = u
		}
	}
	allPhases := []common.SyncPhase{common.SyncPhasePreSync, common.SyncPhaseSync, common.SyncPhasePostSync, common.SyncPhaseSyncFail}
	for _, u := range live {
		add(u, allPhases)
	}
	for _, u := range targets {
		if !facts[index[u]].Superseded {
			add(u, allPhases)
		}
	}
	res := &PlanResult{Tasks: []Task{}, NeverApplied: []Task{}, DeletionHooks: append([]Task{}, r.deletionTasks(delHooks)...)}
	// A deletion hook type the target version does not know yet never runs there.
	newer := map[string]string{}
	for _, o := range delHooks {
		f := argocd.Analyze(o.u.Object, argocd.Options{Namespace: opts.Namespace, Version: opts.version()})
		if n := f.NewerHookTypes(opts.version()); len(n) > 0 {
			newer[o.u.GetKind()+"/"+nameOf(o.u)] = strings.Join(n, "; ") + ": the hook never runs"
		}
	}
	for i, t := range res.DeletionHooks {
		note := "app deletion only: stripped from the sync (see replay --delete)"
		if n, ok := newer[t.Kind+"/"+t.Name]; ok {
			note = n
		}
		res.DeletionHooks[i].Notes = []string{note}
	}
	prunes := map[int]pruneTask{}
	for _, t := range tasks {
		task := Task{Phase: t.Phase, Wave: t.Wave, AnnotatedWave: t.Wave, Action: "apply", Group: t.Group, Kind: t.Kind,
			Namespace: r.namespaceOf(t), Name: t.Name}
		if t.Hook {
			task.Hook = t.Phase
		}
		if u := byKey[t.resultKey()]; u != nil {
			task.AnnotatedWave = syncwaves.Wave(u)
			i, isTarget := index[u]
			if u.GetLabels()[TrackingLabel] == opts.AppName && !isTarget {
				task.Action = "prune"
				lf := argocd.Analyze(u.Object, argocd.Options{})
				p := pruneTask{annotated: task.AnnotatedWave, last: lf.HasSyncOption("PruneLast=true")}
				p.option, _ = lf.SyncOptionValue("Prune")
				p.stays = !opts.Prune || p.option == "false" || p.option == "confirm"
				prunes[len(res.Tasks)] = p
			}
			for _, ht := range hook.Types(u) {
				task.HookTypes = append(task.HookTypes, string(ht))
			}
			if t.Hook {
				task.DeletePolicies = policies(u)
			}
			task.Moved = !t.Hook && task.Action == "apply" && (t.Phase != string(common.SyncPhaseSync) || t.Wave != task.AnnotatedWave)
			if task.Moved {
				task.Notes = append(task.Notes, fmt.Sprintf("moved before its first dependant (annotated wave %d)", task.AnnotatedWave))
			}
			if isTarget {
				task.Notes = append(task.Notes, facts[i].NotesAt(opts.version())...)
			}
		}
		res.Tasks = append(res.Tasks, task)
	}
	res.Tasks = applyRunWaves(res.Tasks, prunes, opts.Prune)
	for _, o := range syncObjs {
		f := facts[o.idx]
		why := f.NeverAppliedAt(opts.version())
		if why == "" {
			continue
		}
		ns := o.u.GetNamespace()
		if ns == "" {
			ns = opts.Namespace
		}
		if namespaced, err := b.IsNamespaced(o.u.GroupVersionKind().GroupKind()); err == nil && !namespaced {
			ns = ""
		}
		res.NeverApplied = append(res.NeverApplied, Task{Wave: f.Wave, AnnotatedWave: f.Wave, Action: "none",
			Group: o.u.GroupVersionKind().Group, Kind: o.u.GetKind(), Namespace: ns, Name: nameOf(o.u),
			HookTypes: f.HookTypes, Notes: append([]string{why}, f.NotesAt(opts.version())...)})
	}
	return res, nil
}

// allNeverApplied reports whether a sync applies none of objs (every object a skipped or
// phaseless hook): gitops-engine then builds no task list, and the plan is empty, not an error.
func allNeverApplied(objs []manifest.Object, opts Options) bool {
	for _, f := range argocd.AnalyzeAll(objs, argocd.Options{Namespace: opts.Namespace, Version: opts.version()}) {
		if f.NeverApplied() == "" {
			return false
		}
	}
	return true
}

// generatedName is the name gitops-engine gives a generateName hook in a phase.
func generatedName(u *unstructured.Unstructured, opts Options, p common.SyncPhase) string {
	rev := opts.Revision
	if len(rev) >= 8 {
		rev = rev[0:7]
	}
	return u.GetGenerateName() + strings.ToLower(fmt.Sprintf("%s-%s-%d", rev, p, opts.StartedAt.UTC().Unix()))
}

// policies returns a hook's delete policies as gitops-engine reads them (BeforeHookCreation
// when none is valid).
func policies(u *unstructured.Unstructured) []string {
	var out []string
	for _, p := range hook.DeletePolicies(u) {
		out = append(out, string(p))
	}
	return out
}
