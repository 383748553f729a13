package engine

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/argoproj/argo-cd/gitops-engine/v3/pkg/health"
	"github.com/argoproj/argo-cd/gitops-engine/v3/pkg/sync/common"
	"github.com/argoproj/argo-cd/gitops-engine/v3/pkg/sync/hook"
	resourceutil "github.com/argoproj/argo-cd/gitops-engine/v3/pkg/sync/resource"
	"github.com/argoproj/argo-cd/gitops-engine/v3/pkg/utils/kube"
	"github.com/wavecheck/wavecheck/internal/argocd"
	"github.com/wavecheck/wavecheck/internal/manifest"
)

// Phases of an app-deletion replay.
const (
	PhasePreDelete  = "PreDelete"
	PhaseDelete     = "Delete"
	PhasePostDelete = "PostDelete"
)

// ReplayDelete replays the deletion of the application, modelled on Argo CD's controller
// (controller/hook.go, finalizeApplicationDeletion): PreDelete hooks are created and must all
// succeed (a failed one is deleted and blocks the deletion), then every managed resource is
// deleted at once (except Delete=false and helm.sh/resource-policy=keep), then PostDelete hooks
// run, then the hooks of each stage are deleted by their policies (no policy: always). On the
// simulated cluster the app's resources are first installed at their health.
func ReplayDelete(ctx context.Context, objs []manifest.Object, opts Options) (*Report, error) {
	opts = opts.withDefaults()
	syncObjs, delHooks, b, err := open(objs, opts)
	if err != nil {
		return nil, err
	}
	defer b.close()
	var installed []*unstructured.Unstructured
	for _, o := range syncObjs {
		if hook.IsHook(o.u) || hook.Skip(o.u) {
			continue
		}
		u := o.u.DeepCopy()
		if u.GetNamespace() == "" {
			if n, err := b.IsNamespaced(u.GroupVersionKind().GroupKind()); err != nil || n {
				u.SetNamespace(opts.Namespace)
			}
		}
		installed = append(installed, u)
	}
	if _, err := b.install(installed); err != nil {
		return nil, err
	}
	d := &deletion{b: b, opts: opts, rep: &Report{Version: 1, Steps: []Step{}, NotRun: []Task{}, Operation: "delete"}}
	d.rep.Target = opts.Cluster.Describe()
	d.rep.Simulated = b.simulated()
	var pre, post []*unstructured.Unstructured
	// Argo CD's executeHooks creates every target that isHookOfType, including a hook that also
	// runs in a sync phase ("PostSync,PostDelete"), but only for a stage whose finalizer the
	// controller put on the Application (see argocd.Facts.FinalizerHookTypes).
	finalizers := map[string]bool{}
	for _, o := range append(slices.Clip(delHooks), syncObjs...) {
		f := argocd.Analyze(o.u.Object, argocd.Options{})
		for _, t := range f.FinalizerHookTypes {
			finalizers[t] = true
		}
		u := o.u.DeepCopy()
		if u.GetNamespace() == "" {
			u.SetNamespace(opts.Namespace)
		}
		for _, t := range f.DeleteHookTypes {
			if t == PhasePreDelete {
				pre = append(pre, u)
			} else {
				post = append(post, u)
			}
		}
	}
	if !finalizers[PhasePreDelete] {
		pre = nil
	}
	var unflagged []*unstructured.Unstructured
	if !finalizers[PhasePostDelete] {
		unflagged, post = post, nil
	}
	if err := d.run(ctx, pre, post); err != nil {
		return nil, err
	}
	sortObjs(unflagged)
	for _, u := range unflagged {
		d.step(PhasePostDelete, "skip", u, PhasePostDelete, "Skipped",
			"never runs: no hook of the app makes Argo CD add the post-delete finalizer (a PreDelete,PostDelete hook does not)")
	}
	d.rep.SimulatedSeconds = b.elapsed().Seconds()
	return d.rep, nil
}

type deletion struct {
	b    backend
	opts Options
	rep  *Report
}

func (d *deletion) step(phase, action string, u *unstructured.Unstructured, hookType, result, msg string) *Step {
	ns := u.GetNamespace()
	if n, err := d.b.IsNamespaced(u.GroupVersionKind().GroupKind()); err == nil && !n {
		ns = ""
	}
	d.rep.Steps = append(d.rep.Steps, Step{Seq: len(d.rep.Steps) + 1, SyncPhase: phase, Action: action, Kind: u.GetKind(),
		Namespace: ns, Name: u.GetName(), Hook: hookType, Result: result, Message: msg, AtSeconds: d.b.elapsed().Seconds()})
	return &d.rep.Steps[len(d.rep.Steps)-1]
}

func (d *deletion) fail(msg string) {
	d.rep.Phase, d.rep.Message = string(common.OperationFailed), msg
	d.opts.progressf("[%6.1fs] Failed: %s\n", d.b.elapsed().Seconds(), msg)
}

func (d *deletion) progress(msg string) {
	d.opts.progressf("[%6.1fs] %s\n", d.b.elapsed().Seconds(), msg)
}

func sortObjs(objs []*unstructured.Unstructured) {
	sort.SliceStable(objs, func(i, j int) bool {
		a, b := kube.GetResourceKey(objs[i]), kube.GetResourceKey(objs[j])
		return a.String() < b.String()
	})
}

func (d *deletion) run(ctx context.Context, pre, post []*unstructured.Unstructured) error {
	ok, err := d.runHooks(ctx, PhasePreDelete, pre)
	if err != nil || !ok {
		return err
	}
	// delete the managed resources (not hooks) at once, then wait until they are gone
	live, err := d.b.live(ctx, nil)
	if err != nil {
		return err
	}
	var doomed []*unstructured.Unstructured
	for _, u := range live {
		if hook.IsHook(u) || len(deletionHookTypes(u)) > 0 {
			continue
		}
		doomed = append(doomed, u)
	}
	sortObjs(doomed)
	d.progress(fmt.Sprintf("deleting %d resources", len(doomed)))
	var waitFor []*unstructured.Unstructured
	for _, u := range doomed {
		if resourceutil.HasAnnotationOption(u, common.AnnotationSyncOptions, "Delete=false") || u.GetAnnotations()["helm.sh/resource-policy"] == "keep" {
			d.step(PhaseDelete, "delete", u, "", "DeleteSkipped", "kept (Delete=false or helm.sh/resource-policy: keep)")
			continue
		}
		err := d.b.kubectl().DeleteResource(ctx, d.b.config(), u.GroupVersionKind(), u.GetName(), u.GetNamespace(), metav1.DeleteOptions{})
		if err != nil && !apierrors.IsNotFound(err) {
			d.step(PhaseDelete, "delete", u, "", "Failed", err.Error())
			d.fail(fmt.Sprintf("delete %s/%s: %v", u.GetKind(), u.GetName(), err))
			return nil
		}
		d.step(PhaseDelete, "delete", u, "", "Deleted", "deleted")
		waitFor = append(waitFor, u)
	}
	if ok, err := d.waitGone(ctx, waitFor); err != nil || !ok {
		return err
	}
	if ok, err := d.cleanupHooks(ctx, PhasePreDelete, pre); err != nil || !ok {
		return err
	}
	if ok, err := d.runHooks(ctx, PhasePostDelete, post); err != nil || !ok {
		return err
	}
	if ok, err := d.cleanupHooks(ctx, PhasePostDelete, post); err != nil || !ok {
		return err
	}
	d.rep.Phase, d.rep.Message = string(common.OperationSucceeded), "application deleted"
	d.progress("application deleted")
	return nil
}

// runHooks creates the hooks of one stage and waits for them: false when the deletion stops.
func (d *deletion) runHooks(ctx context.Context, phase string, hooks []*unstructured.Unstructured) (bool, error) {
	if len(hooks) == 0 {
		return true, nil
	}
	sortObjs(hooks)
	created := make([]*unstructured.Unstructured, 0, len(hooks))
	steps := map[*unstructured.Unstructured]int{}
	for _, h := range hooks {
		out, err := d.b.kubectl().CreateResource(ctx, d.b.config(), h.GroupVersionKind(), h.GetName(), h.GetNamespace(), h, metav1.CreateOptions{})
		if err != nil && !apierrors.IsAlreadyExists(err) {
			d.step(phase, "apply", h, phase, "SyncFailed", err.Error())
			d.fail(fmt.Sprintf("create %s hook %s/%s: %v", phase, h.GetKind(), nameOf(h), err))
			return false, nil
		}
		if out == nil {
			out = h
		}
		s := d.step(phase, "apply", out, phase, string(common.OperationRunning), "created")
		steps[out] = s.Seq - 1
		created = append(created, out)
	}
	d.progress(fmt.Sprintf("waiting for %d %s hooks", len(created), phase))
	deadline := d.b.elapsed() + d.opts.Timeout
	for {
		progressing, failed := 0, []*unstructured.Unstructured{}
		for _, h := range created {
			live, err := d.b.kubectl().GetResource(ctx, d.b.config(), h.GroupVersionKind(), h.GetName(), h.GetNamespace())
			if err != nil {
				if apierrors.IsNotFound(err) {
					continue
				}
				return false, fmt.Errorf("get %s hook %s: %w", phase, h.GetName(), err)
			}
			st, err := health.GetResourceHealth(live, nil)
			if err != nil {
				return false, fmt.Errorf("check health of %s hook %s: %w", phase, h.GetName(), err)
			}
			s := &d.rep.Steps[steps[h]]
			switch {
			case st == nil || st.Status == health.HealthStatusHealthy:
				s.Result, s.Message = string(common.OperationSucceeded), healthMessage(st, "created")
			case st.Status == health.HealthStatusDegraded:
				s.Result, s.Message = string(common.OperationFailed), st.Message
				failed = append(failed, live)
			case st.Status == health.HealthStatusProgressing:
				progressing++
			}
		}
		if len(failed) > 0 {
			var names []string
			for _, f := range failed {
				names = append(names, f.GetNamespace()+"/"+f.GetName())
				if err := d.b.kubectl().DeleteResource(ctx, d.b.config(), f.GroupVersionKind(), f.GetName(), f.GetNamespace(), metav1.DeleteOptions{}); err == nil {
					d.step(phase, "delete", f, phase, "Deleted", "failed hook deleted to allow a retry")
				}
			}
			d.fail(fmt.Sprintf("%s hook(s) failed: %s", phase, strings.Join(names, ", ")))
			return false, nil
		}
		if progressing == 0 {
			return true, nil
		}
		more, err := d.b.wait(ctx, deadline)
		if err != nil {
			return false, err
		}
		if !more {
			d.fail(fmt.Sprintf("timed out after %s waiting for %d %s hooks", d.opts.Timeout, progressing, phase))
			return false, nil
		}
	}
}

func healthMessage(st *health.HealthStatus, def string) string {
	if st == nil || st.Message == "" {
		return def
	}
	return st.Message
}

// cleanupHooks deletes the hooks of one stage by their delete policies (Argo CD's cleanupHooks).
func (d *deletion) cleanupHooks(ctx context.Context, phase string, hooks []*unstructured.Unstructured) (bool, error) {
	var remaining []*unstructured.Unstructured
	for _, h := range hooks {
		live, err := d.b.kubectl().GetResource(ctx, d.b.config(), h.GroupVersionKind(), h.GetName(), h.GetNamespace())
		if err != nil {
			continue
		}
		st, _ := health.GetResourceHealth(live, nil)
		healthy := st == nil || st.Status == health.HealthStatusHealthy
		del := false
		explicit := explicitPolicies(live)
		if len(explicit) == 0 {
			del = true
		}
		for _, p := range explicit {
			if (p == common.HookDeletePolicyHookSucceeded && healthy) || (p == common.HookDeletePolicyHookFailed && st != nil && st.Status == health.HealthStatusDegraded) {
				del = true
			}
		}
		if !del {
			continue
		}
		if err := d.b.kubectl().DeleteResource(ctx, d.b.config(), live.GroupVersionKind(), live.GetName(), live.GetNamespace(), metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
			return false, fmt.Errorf("delete %s hook %s: %w", phase, live.GetName(), err)
		}
		d.step(phase, "delete", live, phase, "Deleted", "hook deleted after the stage (delete policy)").Cleanup = true
		remaining = append(remaining, live)
	}
	return d.waitGone(ctx, remaining)
}

// explicitPolicies returns the delete policies written on the object (gitops-engine's
// DeletePolicies defaults to BeforeHookCreation; Argo CD's cleanup treats "none" as "delete").
func explicitPolicies(u *unstructured.Unstructured) []common.HookDeletePolicy {
	ann := u.GetAnnotations()
	if ann[common.AnnotationKeyHookDeletePolicy] == "" && ann["helm.sh/hook-delete-policy"] == "" {
		return nil
	}
	return hook.DeletePolicies(u)
}

func (d *deletion) waitGone(ctx context.Context, objs []*unstructured.Unstructured) (bool, error) {
	deadline := d.b.elapsed() + d.opts.Timeout
	for {
		left := 0
		for _, u := range objs {
			if _, err := d.b.kubectl().GetResource(ctx, d.b.config(), u.GroupVersionKind(), u.GetName(), u.GetNamespace()); err == nil {
				left++
			}
		}
		if left == 0 {
			return true, nil
		}
		more, err := d.b.wait(ctx, deadline)
		if err != nil {
			return false, err
		}
		if !more {
			d.fail(fmt.Sprintf("timed out after %s waiting for %d objects to be deleted", d.opts.Timeout, left))
			return false, nil
		}
	}
}
