package engine

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/argoproj/argo-cd/gitops-engine/v3/pkg/sync"
	"github.com/argoproj/argo-cd/gitops-engine/v3/pkg/sync/common"
	"github.com/argoproj/argo-cd/gitops-engine/v3/pkg/sync/hook"
	"github.com/argoproj/argo-cd/gitops-engine/v3/pkg/sync/syncwaves"
	"github.com/argoproj/argo-cd/gitops-engine/v3/pkg/utils/kube"
	"github.com/wavecheck/wavecheck/internal/argocd"
	"github.com/wavecheck/wavecheck/internal/manifest"
)

// maxIdleRounds bounds rounds in a row that change the engine's state without it acting or
// the clock moving.
const maxIdleRounds = 10000

// Replay runs the phased sync of objs (as rendered) on opts.Cluster and reports every step.
// The returned error is for infrastructure failures (bad input, cluster unreachable); a failed
// sync is a report with Phase "Failed".
func Replay(ctx context.Context, objs []manifest.Object, opts Options) (*Report, error) {
	opts = opts.withDefaults()
	// Argo CD's repo-server refuses an app it cannot track before any sync (the Application
	// shows a ComparisonError): nothing is applied.
	if msg := argocd.TrackingRefusal(objs, opts.TrackingMethod); msg != "" {
		return &Report{Version: 1, Phase: PhaseComparisonError, Message: msg, Steps: []Step{}, NotRun: []Task{}, Operation: "sync",
			Target: opts.Cluster.Describe()}, nil
	}
	syncObjs, delHooks, b, err := open(objs, opts)
	if err != nil {
		return nil, err
	}
	defer b.close()
	r := newRun(b, opts)
	rep, err := r.sync(ctx, unstructuredOf(syncObjs))
	if err != nil {
		return nil, err
	}
	rep.DeletionHooks = r.deletionTasks(delHooks)
	rep.Assumptions = b.assumptions(r.targets)
	rep.Target = opts.Cluster.Describe()
	rep.Simulated = b.simulated()
	return rep, nil
}

// run is one replay on an opened backend.
type run struct {
	b    backend
	opts Options
	tr   *tracer
	rep  *Report
	// targets are the sync's target objects
	targets []*unstructured.Unstructured
	// rounds counts sync contexts built (one per Argo CD reconciliation)
	rounds int
	byKey  map[string]int // result key -> index of its latest apply/prune step
	// waits holds, per step index, why the object's pods could not start when last seen
	waits map[int]string
	tasks []taskInfo
	// last state given back to the next round
	phase   common.OperationPhase
	message string
	results []common.ResourceSyncResult
	lastMsg string
}

func newRun(b backend, opts Options) *run {
	return &run{
		b: b, opts: opts,
		tr:    newTracer(b.elapsed, opts.Logger),
		rep:   &Report{Version: 1, Steps: []Step{}, Operation: "sync"},
		byKey: map[string]int{},
		waits: map[int]string{},
		phase: common.OperationRunning,
	}
}

// withNamespaces returns copies of the namespaced targets without a namespace, given the sync
// namespace (the keys the cluster cache looks up).
func (r *run) withNamespaces(targets []*unstructured.Unstructured) []*unstructured.Unstructured {
	out := make([]*unstructured.Unstructured, len(targets))
	for i, t := range targets {
		out[i] = t
		if t.GetNamespace() != "" {
			continue
		}
		if namespaced, err := r.b.IsNamespaced(t.GroupVersionKind().GroupKind()); err == nil && namespaced {
			c := t.DeepCopy()
			c.SetNamespace(r.opts.Namespace)
			out[i] = c
		}
	}
	return out
}

// round builds a sync context from fresh live state, as Argo CD's controller does, and runs
// f on it (Sync or Terminate).
func (r *run) round(ctx context.Context, targets, lookup []*unstructured.Unstructured, f func(sync.SyncContext)) error {
	live, err := r.b.live(ctx, lookup)
	if err != nil {
		return err
	}
	rr := sync.Reconcile(targets, live, r.opts.Namespace, r.b)
	r.tr.reset()
	r.rounds++
	cfg := r.b.config()
	delay := r.opts.WaveDelay
	opts := append([]sync.SyncOpt{
		sync.WithLogr(r.tr.logger()),
		sync.WithInitialState(r.phase, r.message, r.results, metav1.NewTime(r.opts.StartedAt)),
		sync.WithOperationSettings(r.opts.DryRun, r.opts.Prune, false, false),
		sync.WithSyncWaveHook(func(_ common.SyncPhase, _ int, final bool) error {
			if final || delay <= 0 {
				return nil
			}
			return r.b.delay(ctx, delay)
		}),
	}, r.opts.appSyncOpts(ctx, rr)...)
	sc, cleanup, err := sync.NewSyncContext(r.opts.Revision, rr, cfg, cfg, r.b.kubectl(), r.opts.Namespace, opts...)
	if err != nil {
		return fmt.Errorf("create sync context: %w", err)
	}
	defer cleanup()
	f(sc)
	r.phase, r.message, r.results = sc.GetState()
	return nil
}

func (r *run) sync(ctx context.Context, targets []*unstructured.Unstructured) (*Report, error) {
	// give namespaced targets the sync namespace up front: gitops-engine gives them the same
	// one, but copies each of them every round to do it
	targets = r.withNamespaces(targets)
	r.targets = targets
	lookup := targets
	idle := 0
	for {
		prevPhase, prevMsg, prevResults := r.phase, r.message, r.results
		before := r.b.version()
		if err := r.round(ctx, targets, lookup, func(sc sync.SyncContext) { sc.Sync(ctx) }); err != nil {
			return nil, err
		}
		acted, err := r.absorb(prevResults)
		if err != nil {
			return nil, err
		}
		changed := acted || prevPhase != r.phase || prevMsg != r.message || !sameResults(prevResults, r.results)
		if (!acted && r.b.version() == before) || (acted && r.observationIsIdle()) {
			// the engine only updated results from a cluster that has not changed since it
			// read it: another round now would compute the same state, so let time pass
			changed = false
		}
		r.progress()
		if r.phase.Completed() {
			break
		}
		if err := ctx.Err(); err != nil {
			return r.finish(), fmt.Errorf("replay: %w", err)
		}
		if changed {
			if acted {
				idle = 0
			} else {
				idle++
			}
			if idle > maxIdleRounds {
				return nil, fmt.Errorf("replay: gitops-engine made no progress in %d rounds (last state: %s %s)", maxIdleRounds, r.phase, r.message)
			}
			continue
		}
		idle = 0
		more, err := r.b.wait(ctx, r.opts.Timeout)
		if err != nil {
			return r.finish(), fmt.Errorf("replay: %w", err)
		}
		if !more {
			if err := r.terminate(ctx, targets, lookup); err != nil {
				return nil, err
			}
			break
		}
	}
	return r.finish(), nil
}

// terminate stops a sync that ran out of time, as Argo CD does on a sync timeout: running hooks
// are deleted and the operation fails.
func (r *run) terminate(ctx context.Context, targets, lookup []*unstructured.Unstructured) error {
	waiting := r.message
	r.tr.terminating = true
	prev := r.results
	if err := r.round(ctx, targets, lookup, func(sc sync.SyncContext) { sc.Terminate(ctx) }); err != nil {
		return err
	}
	if _, err := r.absorb(prev); err != nil {
		return err
	}
	r.phase = common.OperationFailed
	r.message = fmt.Sprintf("sync timed out after %s (%s); %s", r.opts.Timeout, waiting, r.message)
	r.progress()
	return nil
}

// observationIsIdle reports, on a backend that knows when objects settle (the simulated cluster), whether the round that follows one that
// acted would only refresh results and wait: the engine waits on a task whose object is still
// settling (it returns before doing anything else when tasks are running), and no running task
// has already failed. Skipping that round lets the clock move to the next event at once; the
// engine's state after the next round is the same.
func (r *run) observationIsIdle() bool {
	if !r.b.simulated() || r.phase != common.OperationRunning || len(r.tasks) == 0 {
		return false
	}
	first, last := r.tasks[0], r.tasks[len(r.tasks)-1]
	multiStep := first.Phase != last.Phase || first.Wave != last.Wave
	blocking := false
	for _, res := range r.results {
		if res.HookPhase != common.OperationRunning {
			continue
		}
		key := res.ResourceKey
		if namespaced, err := r.b.IsNamespaced(key.GroupKind()); err == nil && !namespaced {
			key.Namespace = ""
		}
		settling, failed, known := r.b.settling(key)
		if !known || failed {
			return false
		}
		if settling && (multiStep || res.HookType != "") {
			blocking = true
		}
	}
	return blocking
}

func (r *run) progress() {
	if r.opts.Progress == nil {
		return
	}

	line := fmt.Sprintf("%s: %s", r.phase, r.message)
	if n := len(r.rep.Steps); n > 0 {
		s := r.rep.Steps[n-1]
		line = fmt.Sprintf("%s wave %d: %s", s.SyncPhase, s.Wave, line)
	}
	if line == r.lastMsg {
		return
	}
	r.lastMsg = line
	r.opts.progressf("[%6.1fs] %s\n", r.b.elapsed().Seconds(), line)
}

func sameResults(a, b []common.ResourceSyncResult) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].ResourceKey != b[i].ResourceKey || a[i].SyncPhase != b[i].SyncPhase || a[i].Status != b[i].Status ||
			a[i].HookPhase != b[i].HookPhase || a[i].Message != b[i].Message {
			return false
		}
	}
	return true
}

func resultKey(res common.ResourceSyncResult) string {
	return fmt.Sprintf("%s:%s", res.ResourceKey.String(), res.SyncPhase)
}

// absorb turns the round's events into steps and refreshes step results. It reports whether
// the engine did anything. It fails when the round's results cannot be explained by the
// operations the tracer saw (prev are the results before the round).
func (r *run) absorb(prev []common.ResourceSyncResult) (bool, error) {
	events, tasks, syncFail, wet := r.tr.take()
	if err := r.tr.check(); err != nil {
		return false, err
	}
	terminating := r.tr.terminating
	if err := r.explain(prev, events, len(tasks) > 0 || wet); err != nil {
		return false, err
	}
	if len(tasks) > 0 {
		r.tasks = tasks
	}
	index := make(map[string]int, len(r.tasks))
	for i, t := range r.tasks {
		index[t.resultKey()] = i
	}
	results := make(map[string]common.ResourceSyncResult, len(r.results))
	for _, res := range r.results {
		results[resultKey(res)] = res
	}
	kept := events[:0]
	for _, e := range events {
		if e.dry && !r.opts.DryRun {
			// the dry-run pass only shows when it failed (then nothing ran for real)
			res, ok := results[e.info.resultKey()]
			if wet {
				continue
			}
			if e.op != opApply || !ok || res.Status != common.ResultCodeSyncFailed {
				continue
			}
		}
		kept = append(kept, e)
	}
	// parallel goroutines log in any order: within a run of one operation, order by the
	// engine's task order (the order it launched them)
	pos := func(e event) int {
		if i, ok := index[e.info.resultKey()]; ok {
			return i
		}
		return len(index)
	}
	for start := 0; start < len(kept); {
		end := start + 1
		for end < len(kept) && kept[end].op == kept[start].op {
			end++
		}
		run := kept[start:end]
		sort.SliceStable(run, func(i, j int) bool {
			pi, pj := pos(run[i]), pos(run[j])
			if pi != pj {
				return pi < pj
			}
			return run[i].info.Name < run[j].info.Name
		})
		start = end
	}
	failing := syncFail || r.phase == common.OperationFailed || r.phase == common.OperationError
	for _, e := range kept {
		s := Step{
			Seq:       len(r.rep.Steps) + 1,
			SyncPhase: e.info.Phase,
			Wave:      e.info.Wave,
			Action:    string(e.op),
			Kind:      e.info.Kind,
			Namespace: r.namespaceOf(e.info),
			Name:      e.info.Name,
			AtSeconds: e.at.Seconds(),
			key:       e.info.resultKey(),
		}
		if e.info.Hook {
			s.Hook = e.info.Phase
		}
		if e.op == opDelete {
			s.Result = "Deleted"
			s.Cleanup = !e.bhc
			switch {
			case e.bhc:
				s.Message = "deleted before re-creation (BeforeHookCreation)"
			case terminating:
				s.Message = "deleted: sync terminated"
			case failing:
				s.Message = "deleted (HookFailed)"
			default:
				s.Message = "deleted (HookSucceeded)"
			}
		} else {
			r.byKey[s.key] = len(r.rep.Steps)
		}
		r.rep.Steps = append(r.rep.Steps, s)
	}
	for key, i := range r.byKey {
		res, ok := results[key]
		if !ok {
			continue
		}
		s := &r.rep.Steps[i]
		s.Result = resultText(res, s.Hook != "")
		s.Message = r.explainWait(i, res)
		if s.Action == string(opApply) && (strings.HasSuffix(res.Message, " replaced") || strings.HasSuffix(res.Message, " updated")) {
			s.Action = "update"
		}
	}
	return len(kept) > 0, nil
}

// explain checks that every result the round added belongs to an operation the tracer saw, so
// that no step is dropped. The one result gitops-engine sets without logging an operation is a
// task that failed validation before any task ran (getSyncTasks: an unknown kind, a missing
// permission; no task list logged): it becomes a SyncFailed step of its own.
func (r *run) explain(prev []common.ResourceSyncResult, events []event, ranTasks bool) error {
	seen := make(map[string]bool, len(prev)+len(events))
	for _, res := range prev {
		seen[resultKey(res)] = true
	}
	for _, e := range events {
		seen[e.info.resultKey()] = true
	}
	var unexplained []string
	for _, res := range r.results {
		key := resultKey(res)
		if seen[key] {
			continue
		}
		if !ranTasks && res.Status == common.ResultCodeSyncFailed {
			r.invalid(res)
			continue
		}
		unexplained = append(unexplained, fmt.Sprintf("%s (%s %s: %s)", key, res.Status, res.HookPhase, res.Message))
	}
	if len(unexplained) > 0 {
		return fmt.Errorf("%w: results without a logged operation: %s", errScrape, strings.Join(unexplained, "; "))
	}
	return nil
}

// invalid records a task that failed validation (no task list, no wave logged: the wave is the
// object's own, as no task ran to move it).
func (r *run) invalid(res common.ResourceSyncResult) {
	k := res.ResourceKey
	s := Step{
		Seq: len(r.rep.Steps) + 1, SyncPhase: string(res.SyncPhase), Action: string(opApply), Kind: k.Kind, Name: k.Name,
		Namespace: r.namespaceOf(taskInfo{Group: k.Group, Kind: k.Kind, Namespace: k.Namespace}),
		Result:    string(res.Status), Message: res.Message, AtSeconds: r.b.elapsed().Seconds(), key: resultKey(res),
	}
	if t := r.target(k); t != nil {
		s.Wave = syncwaves.Wave(t)
		if hook.IsHook(t) {
			s.Hook = string(res.SyncPhase)
		}
	}
	r.rep.Steps = append(r.rep.Steps, s)
}

// target returns the target object of a result key (the namespace is not compared: gitops-engine
// gives cluster-scoped objects the app namespace).
func (r *run) target(k kube.ResourceKey) *unstructured.Unstructured {
	for _, t := range r.targets {
		gvk := t.GroupVersionKind()
		if gvk.Group == k.Group && gvk.Kind == k.Kind && t.GetName() == k.Name {
			return t
		}
	}
	return nil
}

// explainWait is the message of step i: the result's, plus why the object's pods cannot start
// while they cannot (kept once the object is gone, e.g. a hook deleted when the sync timed out).
func (r *run) explainWait(i int, res common.ResourceSyncResult) string {
	key := res.ResourceKey
	if namespaced, err := r.b.IsNamespaced(key.GroupKind()); err == nil && !namespaced {
		key.Namespace = ""
	}
	if why := r.b.blocked(key); why != "" {
		r.waits[i] = why
	} else if res.HookPhase == common.OperationSucceeded || (res.HookPhase == "" && res.Status == common.ResultCodeSynced && r.phase == common.OperationSucceeded) {
		delete(r.waits, i)
	}
	why, ok := r.waits[i]
	switch {
	case !ok:
		return res.Message
	case res.Message == "" || strings.Contains(res.Message, why):
		return why
	}
	return res.Message + "; " + why
}

func resultText(res common.ResourceSyncResult, hook bool) string {
	if hook && res.HookPhase != "" {
		return string(res.HookPhase)
	}
	if res.Status == common.ResultCodeSynced && (res.HookPhase == common.OperationFailed || res.HookPhase == common.OperationError) {
		return string(res.HookPhase)
	}
	return string(res.Status)
}

// namespaceOf blanks the namespace gitops-engine gives cluster-scoped objects.
func (r *run) namespaceOf(t taskInfo) string {
	if namespaced, err := r.b.IsNamespaced(schema.GroupKind{Group: t.Group, Kind: t.Kind}); err == nil && !namespaced {
		return ""
	}
	return t.Namespace
}

func (r *run) finish() *Report {
	rep := r.rep
	rep.Phase = string(r.phase)
	rep.Message = r.message
	rep.SimulatedSeconds = r.b.elapsed().Seconds()
	rep.Rounds = r.rounds
	ran := map[string]bool{}
	for _, s := range rep.Steps {
		if s.Action != string(opDelete) {
			ran[s.key] = true
		}
	}
	rep.NotRun = []Task{}
	for _, t := range r.tasks {
		if ran[t.resultKey()] {
			continue
		}
		task := Task{Phase: t.Phase, Wave: t.Wave, AnnotatedWave: t.Wave, Action: "apply", Group: t.Group, Kind: t.Kind, Namespace: r.namespaceOf(t), Name: t.Name}
		if t.Hook {
			task.Hook = t.Phase
		}
		if u := r.target(kube.ResourceKey{Group: t.Group, Kind: t.Kind, Name: t.Name}); u != nil {
			task.AnnotatedWave = syncwaves.Wave(u)
		} else if !t.Hook {
			// a live object the engine would have pruned
			task.Action = "prune"
		}
		rep.NotRun = append(rep.NotRun, task)
	}
	return rep
}

func (r *run) deletionTasks(objs []object) []Task {
	var out []Task
	for _, o := range objs {
		ns := o.u.GetNamespace()
		if ns == "" {
			ns = r.opts.Namespace
		}
		t := Task{Phase: strings.Join(deletionHookTypes(o.u), ","), Group: o.u.GroupVersionKind().Group, Kind: o.u.GetKind(),
			Namespace: ns, Name: nameOf(o.u), HookTypes: deletionHookTypes(o.u), Action: "apply"}
		// Argo CD's deletion cleanup reads the written policies; none means "delete after the stage"
		for _, p := range explicitPolicies(o.u) {
			t.DeletePolicies = append(t.DeletePolicies, string(p))
		}
		t.Hook = t.Phase
		out = append(out, t)
	}
	// execution order: Argo CD's controller runs PreDelete hooks before deleting the app's
	// resources and PostDelete hooks after (controller/hook.go, finalizeApplicationDeletion)
	stage := func(t Task) int {
		if slices.Contains(t.HookTypes, PhasePreDelete) {
			return 0
		}
		return 1
	}
	sort.SliceStable(out, func(i, j int) bool {
		if si, sj := stage(out[i]), stage(out[j]); si != sj {
			return si < sj
		}
		return out[i].Phase+out[i].Ref() < out[j].Phase+out[j].Ref()
	})
	return out
}

func nameOf(u *unstructured.Unstructured) string {
	if u.GetName() == "" && u.GetGenerateName() != "" {
		return u.GetGenerateName() + "*"
	}
	return u.GetName()
}
