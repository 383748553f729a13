package engine

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/rest"

	"github.com/argoproj/argo-cd/gitops-engine/v3/pkg/utils/kube"

	"github.com/wavecheck/wavecheck/engine/internal/sim"
	"github.com/wavecheck/wavecheck/internal/argocd"
)

// backend is an opened cluster.
type backend interface {
	config() *rest.Config
	kubectl() kube.Kubectl
	IsNamespaced(gk schema.GroupKind) (bool, error)
	// live returns the managed live objects (tracking label) plus live objects of targets.
	live(ctx context.Context, targets []*unstructured.Unstructured) (map[kube.ResourceKey]*unstructured.Unstructured, error)
	// version changes whenever the cluster may have changed (always, on a real cluster).
	version() uint64
	// elapsed is the time since the replay started (simulated or real).
	elapsed() time.Duration
	// delay pauses between waves.
	delay(ctx context.Context, d time.Duration) error
	// wait is called when a round changed nothing: it lets time pass until something may have
	// changed. It returns false when nothing will ever change before the deadline (elapsed
	// time), after moving the clock to the deadline.
	wait(ctx context.Context, deadline time.Duration) (bool, error)
	// install puts the app's resources on the cluster at their health before an app-deletion
	// replay; false when the backend cannot (a real cluster: the app must be installed).
	install(objs []*unstructured.Unstructured) (bool, error)
	// settling reports whether the object of key exists and will reach its final state at a
	// later time without anyone acting, and whether an injected failure already happened;
	// known is false when the backend cannot tell (a real cluster).
	settling(key kube.ResourceKey) (settling, failed, known bool)
	// blocked says why the pods of the object of key cannot start (a missing ServiceAccount,
	// Secret, ConfigMap or PVC, as the component that stops them reports it), "" when they can
	// or the backend cannot tell.
	blocked(key kube.ResourceKey) string
	// assumptions are the facts about the cluster the backend assumed that matter for targets.
	assumptions(targets []*unstructured.Unstructured) []Assumption
	// simulated is false for a real cluster.
	simulated() bool
	close()
}

type simCluster struct {
	opts SimOptions
	// serveUnknownKinds assumes the CRD of every custom resource is installed (Plan).
	serveUnknownKinds bool
}

func (s *simCluster) Describe() string { return "simulated cluster (" + sim.Host + ")" }
func (s *simCluster) simulated() bool  { return true }
func (s *simCluster) planner() Cluster {
	return &simCluster{opts: s.opts, serveUnknownKinds: true}
}

type simBackend struct {
	c       *sim.Cluster
	k       *sim.Kubectl
	appName string
	lb      sim.LoadBalancer
	lbDelay time.Duration
}

func (s *simCluster) open(objs []object, opts Options) (backend, error) {
	durations := map[string]time.Duration{}
	for k, d := range s.opts.Durations {
		durations[strings.ToLower(k)] = d
	}
	var live []object
	if len(s.opts.Live) > 0 {
		var err error
		if live, err = convert(s.opts.Live, opts.AppName); err != nil {
			return nil, fmt.Errorf("read live objects: %w", err)
		}
		// A live object whose Argo CD tracking names another application is not this app's
		// (the cluster cache groups live objects by GetAppName): it is never pruned.
		for i, o := range live {
			if owner := argocd.LiveOwner(s.opts.Live[i].Object, opts.TrackingMethod); owner != "" && owner != opts.AppName {
				unstructured.RemoveNestedField(o.u.Object, "metadata", "labels", TrackingLabel)
			}
		}
	}
	all := append(slices.Clip(objs), live...)
	if err := checkRefs("fail", s.opts.Fail, all); err != nil {
		return nil, err
	}
	if err := checkRefs("hang", s.opts.Hang, all); err != nil {
		return nil, err
	}
	lb := sim.LoadBalancer(s.opts.LoadBalancer)
	switch lb {
	case "":
		lb = sim.LoadBalancerCloud
	case sim.LoadBalancerCloud, sim.LoadBalancerNone:
	default:
		return nil, fmt.Errorf("simulated cluster: unknown load balancer model %q (want %s)", s.opts.LoadBalancer, strings.Join(LoadBalancers(), " or "))
	}
	known := unstructuredOf(objs)
	c := sim.New(sim.Options{
		LoadBalancer:      lb,
		Start:             opts.StartedAt,
		Namespaces:        []string{"default", "kube-system", "kube-public", opts.Namespace},
		DefaultNamespace:  opts.Namespace,
		Durations:         durations,
		Fault:             sim.FaultMatcher(s.opts.Fail, s.opts.Hang),
		Known:             known,
		ArgoCD:            true,
		ServeUnknownKinds: s.serveUnknownKinds,
	})
	if len(live) > 0 {
		if err := c.Seed(unstructuredOf(live)); err != nil {
			return nil, fmt.Errorf("seed live objects: %w", err)
		}
	}
	return &simBackend{c: c, k: c.Kubectl(), appName: opts.AppName, lb: lb, lbDelay: c.Duration("Service")}, nil
}

func (b *simBackend) config() *rest.Config  { return b.c.RESTConfig() }
func (b *simBackend) kubectl() kube.Kubectl { return b.k }
func (b *simBackend) IsNamespaced(gk schema.GroupKind) (bool, error) {
	return b.c.IsNamespaced(gk)
}

func (b *simBackend) live(_ context.Context, targets []*unstructured.Unstructured) (map[kube.ResourceKey]*unstructured.Unstructured, error) {
	out := map[kube.ResourceKey]*unstructured.Unstructured{}
	b.c.ForEach(func(key kube.ResourceKey, obj *unstructured.Unstructured) {
		if obj.GetLabels()[TrackingLabel] == b.appName {
			out[key] = obj
		}
	})
	// like the cluster cache: objects of the app that exist without the label are live too
	for _, t := range targets {
		if t.GetName() == "" {
			continue
		}
		ns := t.GetNamespace()
		namespaced, err := b.c.IsNamespaced(t.GroupVersionKind().GroupKind())
		if err == nil && !namespaced {
			ns = ""
		}
		key := kube.ResourceKey{Group: t.GroupVersionKind().Group, Kind: t.GetKind(), Namespace: ns, Name: t.GetName()}
		if _, ok := out[key]; ok {
			continue
		}
		if obj, err := b.k.GetResource(context.Background(), nil, t.GroupVersionKind(), t.GetName(), ns); err == nil {
			out[key] = obj
		}
	}
	return out, nil
}

func (b *simBackend) elapsed() time.Duration { return b.c.Now() }

func (b *simBackend) version() uint64 { return b.c.Version() }

func (b *simBackend) delay(_ context.Context, d time.Duration) error {
	b.c.Advance(d)
	return nil
}

func (b *simBackend) wait(ctx context.Context, deadline time.Duration) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	now := b.c.Now()
	next, ok := b.c.NextEvent()
	if !ok || next > deadline {
		if deadline > now {
			b.c.Advance(deadline - now)
		}
		return false, nil
	}
	if next > now {
		b.c.Advance(next - now)
	} else {
		b.c.Advance(0)
	}
	return true, nil
}

func (b *simBackend) install(objs []*unstructured.Unstructured) (bool, error) {
	if err := b.c.Seed(objs); err != nil {
		return false, fmt.Errorf("install app: %w", err)
	}
	return true, nil
}

func (b *simBackend) settling(key kube.ResourceKey) (settling, failed, known bool) {
	settling, failed = b.c.Settling(key)
	return settling, failed, true
}

func (b *simBackend) blocked(key kube.ResourceKey) string { return b.c.Blocked(key) }

func (b *simBackend) simulated() bool { return true }

// assumptions names the load balancer model when the app has a LoadBalancer Service, and
// Argo CD's Application health when it has child Applications.
func (b *simBackend) assumptions(targets []*unstructured.Unstructured) []Assumption {
	var lb, apps bool
	for _, t := range targets {
		gk := t.GroupVersionKind().GroupKind()
		if gk.Group == "" && gk.Kind == "Service" {
			typ, _, _ := unstructured.NestedString(t.Object, "spec", "type")
			lb = lb || typ == "LoadBalancer"
		}
		apps = apps || (gk.Group == "argoproj.io" && gk.Kind == "Application")
	}
	var out []Assumption
	if lb {
		a := Assumption{About: "loadBalancer", Model: string(b.lb)}
		if b.lb == sim.LoadBalancerNone {
			a.Detail = "no load balancer: LoadBalancer Services never get status.loadBalancer.ingress and stay Progressing (Argo CD's Service health check); --load-balancer cloud assumes a cloud load balancer"
		} else {
			a.Detail = fmt.Sprintf("a cloud load balancer assigns LoadBalancer Services an address %s after creation; --load-balancer none for clusters without one (the sync then waits on them)", b.lbDelay)
		}
		out = append(out, a)
	}
	if apps {
		out = append(out, Assumption{About: "applicationHealth", Model: "healthy-once-applied",
			Detail: "child Applications are Healthy once applied, as Argo CD has had no health check for argoproj.io/Application since 1.8 (a parent does not wait for its children to sync unless you add the health check to argocd-cm resource.customizations)"})
	}
	return out
}

func (b *simBackend) close() {}
