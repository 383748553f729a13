package engine

import (
	"context"
	"maps"
	"slices"

	"github.com/argoproj/argo-cd/gitops-engine/v3/pkg/diff"
	"github.com/argoproj/argo-cd/gitops-engine/v3/pkg/sync"
	"github.com/argoproj/argo-cd/gitops-engine/v3/pkg/sync/common"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/wavecheck/wavecheck/internal/argocd"
)

// argocdSSAManager is the field manager of Argo CD's server-side applies
// (common.ArgoCDSSAManager).
const argocdSSAManager = "argocd-controller"

// appSyncOpts are the sync context options Argo CD's controller derives from the
// Application's syncPolicy.syncOptions (controller/sync.go, v3.6.1 SyncAppState), with the
// diff of the targets against live state that ApplyOutOfSyncOnly needs.
func (o Options) appSyncOpts(ctx context.Context, rr sync.ReconciliationResult) []sync.SyncOpt {
	has := func(opt string) bool { return slices.Contains(o.SyncOptions, opt) }
	value := func(key string) *string {
		if v, ok := argocd.OptionValue(o.SyncOptions, key); ok {
			return &v
		}
		return nil
	}
	policy := metav1.DeletePropagationForeground
	switch {
	case has("PrunePropagationPolicy=background"):
		policy = metav1.DeletePropagationBackground
	case has("PrunePropagationPolicy=orphan"):
		policy = metav1.DeletePropagationOrphan
	}
	opts := []sync.SyncOpt{
		sync.WithManifestValidation(!has(common.SyncOptionsDisableValidation)),
		sync.WithPruneLast(has(common.SyncOptionPruneLast)),
		sync.WithPrunePropagationPolicy(&policy),
		sync.WithReplace(has(common.SyncOptionReplace)),
		sync.WithServerSideApply(has(common.SyncOptionServerSideApply)),
		sync.WithServerSideApplyManager(argocdSSAManager),
		sync.WithDefaultPruneOption(value(common.SyncOptionPrune)),
		sync.WithSkipDryRunOnMissingResource(has(common.SyncOptionSkipDryRunOnMissingResource)),
	}
	if has("ApplyOutOfSyncOnly=true") {
		// The controller passes its comparison's diff; compute the same from the
		// reconciliation (an error leaves every resource to apply, as an empty result does).
		res, err := diff.DiffArray(ctx, rr.Target, rr.Live)
		if err != nil || res == nil {
			res = &diff.DiffResultList{}
		}
		opts = append(opts, sync.WithResourceModificationChecker(true, res))
	}
	if has("CreateNamespace=true") {
		opts = append(opts, sync.WithNamespaceModifier(o.syncNamespace))
	}
	return opts
}

// syncNamespace is controller/sync_namespace.go's syncNamespace: create the destination
// namespace when it does not exist; with managedNamespaceMetadata, (re)apply its labels and
// annotations (server-side).
func (o Options) syncNamespace(managed, live *unstructured.Unstructured) (bool, error) {
	if managed == nil {
		return false, nil
	}
	isNew := live == nil
	isManaged := o.ManagedNamespaceMetadata != nil
	if !isManaged && !isNew {
		return false, nil
	}
	if isManaged {
		managed.SetLabels(o.ManagedNamespaceMetadata.Labels)
		ann := map[string]string{}
		maps.Copy(ann, o.ManagedNamespaceMetadata.Annotations)
		ann[common.AnnotationSyncOptions] = common.SyncOptionServerSideApply
		managed.SetAnnotations(ann)
	}
	return true, nil
}
