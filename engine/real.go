package engine

import (
	"context"
	"fmt"
	"time"

	"github.com/go-logr/logr"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/rest"
	cmdutil "k8s.io/kubectl/pkg/cmd/util"

	"github.com/argoproj/argo-cd/gitops-engine/v3/pkg/cache"
	"github.com/argoproj/argo-cd/gitops-engine/v3/pkg/utils/kube"
	"github.com/argoproj/argo-cd/gitops-engine/v3/pkg/utils/tracing"
)

type realCluster struct{ cfg *rest.Config }

func (r *realCluster) Describe() string {
	if r.cfg == nil {
		return "<no cluster>"
	}
	return r.cfg.Host
}

func (r *realCluster) simulated() bool { return false }

func (r *realCluster) planner() Cluster { return &simCluster{serveUnknownKinds: true} }

type realBackend struct {
	cfg     *rest.Config
	k       kube.Kubectl
	cache   cache.ClusterCache
	start   time.Time
	poll    time.Duration
	appName string
	calls   uint64
}

func (r *realCluster) open(_ []object, opts Options) (backend, error) {
	if r.cfg == nil {
		return nil, fmt.Errorf("open cluster: no REST config")
	}
	cfg := rest.CopyConfig(r.cfg)
	cfg.WarningHandler = rest.NoWarnings{}
	if cfg.QPS == 0 {
		cfg.QPS, cfg.Burst = 100, 200
	}
	// Reach the API server first: gitops-engine's cluster cache wraps kube.KubectlCmd's
	// "failed to get server version" in its own "failed to get server version"
	// (pkg/cache.clusterCache.sync), which printed the reason twice.
	if err := reachable(cfg); err != nil {
		return nil, err
	}
	var k kube.Kubectl = &kube.KubectlCmd{Log: logr.Discard(), Tracer: tracing.NopTracer{}}
	if opts.DryRun {
		k = serverDryRun{k}
	}
	appName := opts.AppName
	cc := cache.NewClusterCache(cfg,
		cache.SetKubectl(k),
		cache.SetLogr(logr.Discard()),
		cache.SetPopulateResourceInfoHandler(func(un *unstructured.Unstructured, _ bool) (any, bool) {
			managed := un.GetLabels()[TrackingLabel] == appName
			return managed, managed
		}),
	)
	if err := cc.EnsureSynced(); err != nil {
		cc.Invalidate()
		return nil, fmt.Errorf("sync cluster cache of %s: %w", cfg.Host, err)
	}
	return &realBackend{cfg: cfg, k: k, cache: cc, start: time.Now(), poll: opts.PollInterval, appName: appName}, nil
}

// reachable asks the API server of cfg for its version, the first request of a sync.
func reachable(cfg *rest.Config) error {
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return fmt.Errorf("connect to %s: %w", cfg.Host, err)
	}
	if _, err := dc.ServerVersion(); err != nil {
		return fmt.Errorf("reach the API server %s: %w (check --kubeconfig and --context)", cfg.Host, err)
	}
	return nil
}

func (b *realBackend) config() *rest.Config  { return b.cfg }
func (b *realBackend) kubectl() kube.Kubectl { return b.k }
func (b *realBackend) IsNamespaced(gk schema.GroupKind) (bool, error) {
	n, err := b.cache.IsNamespaced(gk)
	if err != nil {
		return false, fmt.Errorf("check scope of %s: %w", gk, err)
	}
	return n, nil
}

func (b *realBackend) live(_ context.Context, targets []*unstructured.Unstructured) (map[kube.ResourceKey]*unstructured.Unstructured, error) {
	live, err := b.cache.GetManagedLiveObjs(targets, func(r *cache.Resource) bool {
		managed, _ := r.Info.(bool)
		return managed
	})
	if err != nil {
		return nil, fmt.Errorf("get live objects: %w", err)
	}
	return live, nil
}

func (b *realBackend) elapsed() time.Duration { return time.Since(b.start) }

func (b *realBackend) version() uint64 {
	b.calls++
	return b.calls
}

func (b *realBackend) delay(ctx context.Context, d time.Duration) error {
	return sleep(ctx, d)
}

func (b *realBackend) wait(ctx context.Context, deadline time.Duration) (bool, error) {
	if b.elapsed() >= deadline {
		return false, nil
	}
	if err := sleep(ctx, b.poll); err != nil {
		return false, err
	}
	return b.elapsed() < deadline, nil
}

// install does nothing: on a real cluster the app is already there (or not).
func (b *realBackend) install([]*unstructured.Unstructured) (bool, error) { return false, nil }

// settling is unknown: real controllers give no schedule.
func (b *realBackend) settling(kube.ResourceKey) (settling, failed, known bool) {
	return false, false, false
}

// blocked is unknown: the step messages carry what the cluster reports.
func (b *realBackend) blocked(kube.ResourceKey) string { return "" }

// assumptions: a real cluster is what it is.
func (b *realBackend) assumptions([]*unstructured.Unstructured) []Assumption { return nil }

func (b *realBackend) simulated() bool { return false }

func (b *realBackend) close() { b.cache.Invalidate() }

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// serverDryRun turns gitops-engine's client-side dry runs into server-side ones (--dry-run on a
// real cluster): the API server validates every object, nothing is persisted.
type serverDryRun struct{ kube.Kubectl }

func (s serverDryRun) ManageResources(cfg *rest.Config) (kube.ResourceOperations, func(), error) {
	ops, cleanup, err := s.Kubectl.ManageResources(cfg)
	if err != nil {
		return nil, nil, err //nolint:wrapcheck // passthrough
	}
	return serverDryRunOps{ops}, cleanup, nil
}

type serverDryRunOps struct{ kube.ResourceOperations }

func server(d cmdutil.DryRunStrategy) cmdutil.DryRunStrategy {
	if d == cmdutil.DryRunClient {
		return cmdutil.DryRunServer
	}
	return d
}

func (s serverDryRunOps) ApplyResource(ctx context.Context, obj *unstructured.Unstructured, d cmdutil.DryRunStrategy, force, validate, ssa bool, manager string) (string, error) {
	return s.ResourceOperations.ApplyResource(ctx, obj, server(d), force, validate, ssa, manager) //nolint:wrapcheck // passthrough
}

func (s serverDryRunOps) ReplaceResource(ctx context.Context, obj *unstructured.Unstructured, d cmdutil.DryRunStrategy, force bool) (string, error) {
	return s.ResourceOperations.ReplaceResource(ctx, obj, server(d), force) //nolint:wrapcheck // passthrough
}

func (s serverDryRunOps) CreateResource(ctx context.Context, obj *unstructured.Unstructured, d cmdutil.DryRunStrategy, validate bool) (string, error) {
	return s.ResourceOperations.CreateResource(ctx, obj, server(d), validate) //nolint:wrapcheck // passthrough
}

func (s serverDryRunOps) UpdateResource(ctx context.Context, obj *unstructured.Unstructured, d cmdutil.DryRunStrategy) (*unstructured.Unstructured, error) {
	return s.ResourceOperations.UpdateResource(ctx, obj, server(d)) //nolint:wrapcheck // passthrough
}
