package sim

import (
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/argoproj/argo-cd/gitops-engine/v3/pkg/utils/kube"
)

// kind is how the simulated controllers move one kind of object to its health: the status they
// write is what gitops-engine's pkg/health/health_<kind>.go reads. One file per kind (or family)
// defines its model, as gitops-engine defines its checks; kinds absent from the table have no
// health check there and are done once applied.
type kind struct {
	// duration is the default simulated time to health.
	duration time.Duration
	// failsByHealth: --fail ends in a failed or degraded health (else the apply is refused).
	failsByHealth bool
	// progressing writes the status of a freshly created (or re-rolled) object; false means the
	// object has nothing to do (done once applied).
	progressing func(c *Cluster, o *unstructured.Unstructured) bool
	// done writes the final status: healthy, or failed when fail is set.
	done func(c *Cluster, o *unstructured.Unstructured, fail bool)
}

var kinds = map[schema.GroupKind]kind{}

// register adds the model of one kind (from the kind files' init functions).
func register(gk schema.GroupKind, k kind) {
	if _, dup := kinds[gk]; dup {
		panic("sim: kind registered twice: " + gk.String())
	}
	kinds[gk] = k
}

// DefaultDurations are the simulated times to health, per lower-case kind.
func DefaultDurations() map[string]time.Duration {
	out := map[string]time.Duration{}
	for gk, k := range kinds {
		if k.duration > 0 {
			out[strings.ToLower(gk.Kind)] = k.duration
		}
	}
	return out
}

func kindOf(o *unstructured.Unstructured) (kind, bool) {
	k, ok := kinds[o.GroupVersionKind().GroupKind()]
	return k, ok
}

// failsByHealth reports whether --fail on this kind is a failed or degraded health rather than
// a rejected apply (StatefulSet and DaemonSet health never report Degraded in gitops-engine).
func failsByHealth(gk schema.GroupKind) bool {
	return kinds[gk].failsByHealth
}

// initStatus gives a freshly created (or re-rolled) object its progressing status and schedules
// its final state.
func (c *Cluster) initStatus(key kube.ResourceKey, e *entry) {
	e.blocked = block{}
	delete(c.blocked, key)
	k, ok := kindOf(e.obj)
	if !ok || k.progressing == nil || !k.progressing(c, e.obj) {
		e.pending = false
		return
	}
	e.pending = true
	e.readyAt = c.now + c.duration(e.obj)
	if c.blockOrStart(key, e) {
		return
	}
	if c.now >= e.readyAt && e.fault != FaultHang {
		c.finishStatus(e)
	}
}

// finishStatus writes the final status of an object: healthy, or failed with FaultFail. The
// stored object is replaced, never modified in place (it may be shared with readers).
func (c *Cluster) finishStatus(e *entry) {
	e.pending = false
	o := e.obj.DeepCopy()
	if k, ok := kindOf(o); ok && k.done != nil {
		k.done(c, o, e.fault == FaultFail)
	}
	o.SetResourceVersion(c.nextRV())
	e.obj = o
}

func (c *Cluster) stamp() string {
	return c.start.Add(c.now).UTC().Format("2006-01-02T15:04:05Z")
}

func setStatus(o *unstructured.Unstructured, st map[string]any) {
	o.Object["status"] = st
}

func replicas(o *unstructured.Unstructured) int64 {
	if r, ok, _ := unstructured.NestedInt64(o.Object, "spec", "replicas"); ok {
		return r
	}
	return 1
}

// condition is a status condition stamped now.
func (c *Cluster) condition(t, s, reason, msg string) map[string]any {
	return map[string]any{"type": t, "status": s, "reason": reason, "message": msg, "lastTransitionTime": c.stamp()}
}

func gk(group, k string) schema.GroupKind { return schema.GroupKind{Group: group, Kind: k} }
