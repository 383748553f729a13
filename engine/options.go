package engine

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/wavecheck/wavecheck/internal/argocd"

	"github.com/wavecheck/wavecheck/engine/internal/sim"
	"github.com/wavecheck/wavecheck/internal/manifest"
	"k8s.io/client-go/rest"
)

// TrackingLabel is stamped on every manifest of a replay (hooks included) with the value
// Options.AppName; only live objects carrying it are managed (and may be pruned).
const TrackingLabel = "wavecheck.dev/replay"

// DefaultAppName is the tracking label value when Options.AppName is empty.
const DefaultAppName = "wavecheck-replay"

// DefaultRevision is the sync revision when Options.Revision is empty: hooks named with
// generateName get "<generateName>0000000-<phase>-<unix start>".
const DefaultRevision = "0000000000000000000000000000000000000000"

// DefaultStart is the operation start time when Options.StartedAt is zero.
var DefaultStart = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// DefaultWaveDelay is Argo CD's ARGOCD_SYNC_WAVE_DELAY default.
const DefaultWaveDelay = 2 * time.Second

// NoWaveDelay disables the delay between waves (Options.WaveDelay zero means the default).
const NoWaveDelay time.Duration = -1

// DefaultTimeout bounds a replay when Options.Timeout is zero.
const DefaultTimeout = 10 * time.Minute

// Options configure Plan, Replay and ReplayDelete.
type Options struct {
	// ArgoCDVersion is the Argo CD version whose behaviour Plan explains (hook types it does
	// not know yet); zero means argocd.Latest. The sync itself is gitops-engine v3.6.1's.
	ArgoCDVersion argocd.Version
	// TrackingMethod is Argo CD's resource tracking method (argocd-cm
	// application.resourceTrackingMethod); "" is Argo CD's default (annotation since 3.0).
	// Under annotation tracking an app with a non-string annotation value is refused before
	// any sync (Report.Phase PhaseComparisonError).
	TrackingMethod argocd.TrackingMethod
	// Cluster is the backend: Simulated(...) (the default) or Real(config).
	Cluster Cluster
	// Namespace is the sync's target namespace (Argo CD's destination namespace), given to
	// objects without one. Default "default".
	Namespace string
	// AppName is the tracking label value. Default DefaultAppName.
	AppName string
	// Revision and StartedAt fix the names of generateName hooks.
	Revision  string
	StartedAt time.Time
	// Prune deletes live managed objects that are not in the app (otherwise they are reported
	// as PruneSkipped).
	Prune bool
	// DryRun runs the sync in dry-run mode (server-side dry-run on a real cluster).
	DryRun bool
	// SyncOptions are the Application's spec.syncPolicy.syncOptions, applied to the sync as
	// Argo CD's controller does (controller/sync.go): CreateNamespace=true, PruneLast=true,
	// Replace=true, ServerSideApply=true, ApplyOutOfSyncOnly=true, Prune=false|confirm,
	// SkipDryRunOnMissingResource=true, Validate=false, PrunePropagationPolicy=...
	SyncOptions []string
	// ManagedNamespaceMetadata is spec.syncPolicy.managedNamespaceMetadata (with
	// CreateNamespace=true).
	ManagedNamespaceMetadata *NamespaceMetadata
	// WaveDelay is the pause between waves; zero means DefaultWaveDelay, NoWaveDelay none.
	WaveDelay time.Duration
	// Timeout terminates a sync still running after this long (simulated or real time);
	// zero means DefaultTimeout.
	Timeout time.Duration
	// PollInterval is the pause between rounds on a real cluster when nothing changed
	// (default 250ms).
	PollInterval time.Duration
	// Progress, when set, receives one line per change of the operation state (for stderr).
	Progress io.Writer
	// Logger receives gitops-engine's log at debug level (nil: discarded).
	Logger *slog.Logger
}

// progressf writes one progress line to o.Progress, if set. The write error is dropped on
// purpose: progress is a diagnostic for stderr, and a closed stderr must not change a replay
// whose result is the report.
func (o Options) progressf(format string, a ...any) {
	if o.Progress != nil {
		_, _ = fmt.Fprintf(o.Progress, format, a...)
	}
}

func (o Options) withDefaults() Options {
	if o.Cluster == nil {
		o.Cluster = Simulated(SimOptions{})
	}
	if o.Namespace == "" {
		o.Namespace = "default"
	}
	if o.AppName == "" {
		o.AppName = DefaultAppName
	}
	if o.Revision == "" {
		o.Revision = DefaultRevision
	}
	if o.StartedAt.IsZero() {
		o.StartedAt = DefaultStart
	}
	switch {
	case o.WaveDelay == 0:
		o.WaveDelay = DefaultWaveDelay
	case o.WaveDelay < 0:
		o.WaveDelay = 0
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.PollInterval <= 0 {
		o.PollInterval = 250 * time.Millisecond
	}
	return o
}

// NamespaceMetadata are the labels and annotations Argo CD puts on the namespace it creates.
type NamespaceMetadata struct {
	Labels      map[string]string
	Annotations map[string]string
}

// Cluster is a replay backend: Simulated or Real.
type Cluster interface {
	// Describe names the target (the API server URL for a real cluster).
	Describe() string
	// simulated is false for a real cluster.
	simulated() bool
	// planner is the simulated cluster Plan orders the tasks on: its live objects (none for
	// a real cluster), every custom resource's CRD assumed installed (the order does not
	// depend on it).
	planner() Cluster
	open(objs []object, opts Options) (backend, error)
}

// SimOptions configure the simulated cluster.
type SimOptions struct {
	// Durations override the simulated time to health per kind (case-insensitive), e.g.
	// {"Job": 30 * time.Second}. Defaults: Job, Pod, Workflow 10s; Deployment, StatefulSet,
	// DaemonSet, ReplicaSet 5s; PVC, LoadBalancer Service, Ingress, APIService, HPA 2s;
	// kinds without a health check are done once applied.
	Durations map[string]time.Duration
	// Fail lists "Kind/name" objects that fail: a Job, Pod or Workflow fails, a Deployment or
	// ReplicaSet goes Degraded, a PVC is Lost, and any other kind has its apply rejected.
	// A generateName prefix also matches the names generated from it.
	Fail []string
	// Hang lists "Kind/name" objects that never become healthy (until the timeout).
	Hang []string
	// LoadBalancer is the cluster's load balancer model for Services of type LoadBalancer:
	// LoadBalancerCloud (default: an address after the Service's duration, as in a cloud) or
	// LoadBalancerNone (never: the Service stays Progressing, as gitops-engine's
	// health_service.go reports it, and a sync that waits for it times out).
	LoadBalancer string
	// Live are objects that exist before the sync (labelled as managed by the replay), at
	// their health.
	Live []manifest.Object
}

// Load balancer models of the simulated cluster (SimOptions.LoadBalancer).
const (
	LoadBalancerCloud = string(sim.LoadBalancerCloud)
	LoadBalancerNone  = string(sim.LoadBalancerNone)
)

// LoadBalancers lists the load balancer models; the first is the default.
func LoadBalancers() []string { return []string{LoadBalancerCloud, LoadBalancerNone} }

// ParseRef checks a "Kind/name" reference.
func ParseRef(s string) (kind, name string, err error) {
	kind, name, ok := strings.Cut(s, "/")
	if !ok || kind == "" || name == "" || strings.Contains(name, "/") {
		return "", "", fmt.Errorf("parse reference %q: want KIND/NAME", s)
	}
	return kind, name, nil
}

// Simulated returns the embedded simulated cluster backend.
func Simulated(o SimOptions) Cluster { return &simCluster{opts: o} }

// Real returns a backend replaying against the real cluster cfg points to.
func Real(cfg *rest.Config) Cluster { return &realCluster{cfg: cfg} }

// version is ArgoCDVersion, or argocd.Latest when unset.
func (o Options) version() argocd.Version {
	if o.ArgoCDVersion == (argocd.Version{}) {
		return argocd.Latest
	}
	return o.ArgoCDVersion
}
