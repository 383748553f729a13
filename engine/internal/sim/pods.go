package sim

import (
	"fmt"
	"sort"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/argoproj/argo-cd/gitops-engine/v3/pkg/utils/kube"
)

// What stops a pod in a real cluster when an object it names does not exist:
//   - its ServiceAccount: the ServiceAccount admission plugin refuses the pod ("error looking up
//     service account"), so a bare Pod's create fails and a Job's or workload's controller keeps
//     failing to create pods;
//   - a non-optional Secret or ConfigMap of env valueFrom/envFrom: the kubelet cannot build the
//     container config (CreateContainerConfigError); of a volume: the volume cannot be mounted
//     (ContainerCreating);
//   - a PersistentVolumeClaim: the pod cannot be scheduled (Pending).
// The pod retries: once the object exists, it starts.

// podSpecPath is where a kind keeps the spec of the pods it runs.
var podSpecPath = map[schema.GroupKind][]string{
	gk("", "Pod"):             {"spec"},
	gk("batch", "Job"):        {"spec", "template", "spec"},
	gk("apps", "Deployment"):  {"spec", "template", "spec"},
	gk("apps", "StatefulSet"): {"spec", "template", "spec"},
	gk("apps", "DaemonSet"):   {"spec", "template", "spec"},
	gk("apps", "ReplicaSet"):  {"spec", "template", "spec"},
}

// blockKind is the stage at which a pod stops.
type blockKind int

const (
	blockNone      blockKind = iota
	blockAdmission           // ServiceAccount: the pod is refused
	blockSchedule            // PVC: the pod stays unscheduled (Pending)
	blockMount               // volume Secret/ConfigMap: ContainerCreating
	blockConfig              // env Secret/ConfigMap: CreateContainerConfigError
	blockNoAddress           // a LoadBalancer Service in a cluster without a load balancer
)

// block is why a pod cannot start: the first missing object, as the component that stops it
// reports it.
type block struct {
	kind    blockKind
	reason  string // e.g. CreateContainerConfigError
	message string // e.g. secret "db" not found
}

func (b block) String() string {
	switch b.kind {
	case blockNone:
		return ""
	case blockNoAddress:
		return b.message
	}
	return "pods cannot start: " + b.reason + ": " + b.message
}

type podRef struct {
	stage    blockKind
	kind     string // ServiceAccount, Secret, ConfigMap, PersistentVolumeClaim
	name     string
	volume   string
	optional bool
}

// podRefs lists the objects a pod spec needs.
func podRefs(spec map[string]any) []podRef {
	var refs []podRef
	sa, _, _ := unstructured.NestedString(spec, "serviceAccountName")
	if sa == "" {
		sa, _, _ = unstructured.NestedString(spec, "serviceAccount")
	}
	if sa != "" && sa != "default" {
		refs = append(refs, podRef{stage: blockAdmission, kind: "ServiceAccount", name: sa})
	}
	vols, _, _ := unstructured.NestedSlice(spec, "volumes")
	for _, v := range vols {
		vm, _ := v.(map[string]any)
		vname, _ := vm["name"].(string)
		if name, opt, ok := nameRef(vm, "persistentVolumeClaim", "claimName"); ok {
			refs = append(refs, podRef{stage: blockSchedule, kind: "PersistentVolumeClaim", name: name, volume: vname, optional: opt})
		}
		if name, opt, ok := nameRef(vm, "secret", "secretName"); ok {
			refs = append(refs, podRef{stage: blockMount, kind: "Secret", name: name, volume: vname, optional: opt})
		}
		if name, opt, ok := nameRef(vm, "configMap", "name"); ok {
			refs = append(refs, podRef{stage: blockMount, kind: "ConfigMap", name: name, volume: vname, optional: opt})
		}
		sources, _, _ := unstructured.NestedSlice(vm, "projected", "sources")
		for _, s := range sources {
			sm, _ := s.(map[string]any)
			if name, opt, ok := nameRef(sm, "secret", "name"); ok {
				refs = append(refs, podRef{stage: blockMount, kind: "Secret", name: name, volume: vname, optional: opt})
			}
			if name, opt, ok := nameRef(sm, "configMap", "name"); ok {
				refs = append(refs, podRef{stage: blockMount, kind: "ConfigMap", name: name, volume: vname, optional: opt})
			}
		}
	}
	for _, field := range []string{"initContainers", "containers"} {
		cs, _, _ := unstructured.NestedSlice(spec, field)
		for _, c := range cs {
			cm, _ := c.(map[string]any)
			envFrom, _, _ := unstructured.NestedSlice(cm, "envFrom")
			for _, ef := range envFrom {
				em, _ := ef.(map[string]any)
				if name, opt, ok := nameRef(em, "secretRef", "name"); ok {
					refs = append(refs, podRef{stage: blockConfig, kind: "Secret", name: name, optional: opt})
				}
				if name, opt, ok := nameRef(em, "configMapRef", "name"); ok {
					refs = append(refs, podRef{stage: blockConfig, kind: "ConfigMap", name: name, optional: opt})
				}
			}
			env, _, _ := unstructured.NestedSlice(cm, "env")
			for _, e := range env {
				em, _ := e.(map[string]any)
				vf, _ := em["valueFrom"].(map[string]any)
				if name, opt, ok := nameRef(vf, "secretKeyRef", "name"); ok {
					refs = append(refs, podRef{stage: blockConfig, kind: "Secret", name: name, optional: opt})
				}
				if name, opt, ok := nameRef(vf, "configMapKeyRef", "name"); ok {
					refs = append(refs, podRef{stage: blockConfig, kind: "ConfigMap", name: name, optional: opt})
				}
			}
		}
	}
	return refs
}

// nameRef reads m[field][nameKey] and m[field].optional.
func nameRef(m map[string]any, field, nameKey string) (name string, optional, ok bool) {
	ref, _ := m[field].(map[string]any)
	if ref == nil {
		return "", false, false
	}
	name, _ = ref[nameKey].(string)
	optional, _ = ref["optional"].(bool)
	return name, optional, name != ""
}

// podBlock returns why the pods of o cannot start (c.mu is held): the missing object of the
// earliest stage (admission, then scheduling, then mounts, then container config).
func (c *Cluster) podBlock(o *unstructured.Unstructured) block {
	path, ok := podSpecPath[o.GroupVersionKind().GroupKind()]
	if !ok {
		return block{}
	}
	spec, _, _ := unstructured.NestedMap(o.Object, path...)
	if spec == nil {
		return block{}
	}
	ns := o.GetNamespace()
	var missing []podRef
	for _, r := range podRefs(spec) {
		if r.optional {
			continue
		}
		if _, ok := c.objs[kube.ResourceKey{Kind: r.kind, Namespace: ns, Name: r.name}]; !ok {
			missing = append(missing, r)
		}
	}
	if len(missing) == 0 {
		return block{}
	}
	sort.SliceStable(missing, func(i, j int) bool { return missing[i].stage < missing[j].stage })
	r := missing[0]
	lower := strings.ToLower(r.kind)
	switch r.stage {
	case blockAdmission:
		return block{kind: r.stage, reason: "FailedCreate",
			message: fmt.Sprintf("error looking up service account %s/%s: serviceaccount %q not found", ns, r.name, r.name)}
	case blockSchedule:
		return block{kind: r.stage, reason: "FailedScheduling",
			message: fmt.Sprintf("0/1 nodes are available: persistentvolumeclaim %q not found", r.name)}
	case blockMount:
		return block{kind: r.stage, reason: "FailedMount",
			message: fmt.Sprintf("MountVolume.SetUp failed for volume %q : %s %q not found", r.volume, lower, r.name)}
	default:
		return block{kind: r.stage, reason: "CreateContainerConfigError", message: fmt.Sprintf("%s %q not found", lower, r.name)}
	}
}

// admit is the ServiceAccount admission plugin: a new Pod naming a missing ServiceAccount is
// refused (c.mu is held).
func (c *Cluster) admit(o *unstructured.Unstructured) error {
	if o.GroupVersionKind().GroupKind() != gk("", "Pod") {
		return nil
	}
	if b := c.podBlock(o); b.kind == blockAdmission {
		return &apierrors.StatusError{ErrStatus: metav1.Status{
			Status: metav1.StatusFailure, Code: 403, Reason: metav1.StatusReasonForbidden,
			Message: fmt.Sprintf("pods %q is forbidden: %s", o.GetName(), b.message),
		}}
	}
	return nil
}

// deadlineOf returns the activeDeadlineSeconds of a Job or Pod (0: none).
func deadlineOf(o *unstructured.Unstructured) time.Duration {
	switch o.GroupVersionKind().GroupKind() {
	case gk("", "Pod"), gk("batch", "Job"):
		if s, ok, _ := unstructured.NestedInt64(o.Object, "spec", "activeDeadlineSeconds"); ok && s > 0 {
			return time.Duration(s) * time.Second
		}
	case gk("apps", "Deployment"):
		// the Deployment controller gives up after progressDeadlineSeconds (default 600)
		s, ok, _ := unstructured.NestedInt64(o.Object, "spec", "progressDeadlineSeconds")
		if !ok {
			s = 600
		}
		return time.Duration(s) * time.Second
	}
	return 0
}

// blockStatus writes the status of an object whose pods cannot start.
func (c *Cluster) blockStatus(o *unstructured.Unstructured, b block) {
	switch o.GroupVersionKind().GroupKind() {
	case gk("", "Pod"):
		st := map[string]any{"phase": "Pending"}
		switch b.kind {
		case blockSchedule:
			st["conditions"] = []any{c.condition("PodScheduled", "False", "Unschedulable", b.message)}
		case blockMount, blockConfig:
			reason := "ContainerCreating"
			if b.kind == blockConfig {
				reason = b.reason
			}
			st["startTime"] = c.stamp()
			st["containerStatuses"] = []any{map[string]any{"name": firstContainer(o), "ready": false, "restartCount": int64(0),
				"state": map[string]any{"waiting": map[string]any{"reason": reason, "message": b.message}}}}
		}
		setStatus(o, st)
	case gk("batch", "Job"):
		active := int64(1)
		if b.kind == blockAdmission {
			active = 0
		}
		st, _, _ := unstructured.NestedString(o.Object, "status", "startTime")
		if st == "" {
			st = c.stamp()
		}
		setStatus(o, map[string]any{"active": active, "startTime": st})
	}
}

// deadlineExceeded fails an object whose pods never started before its deadline, with the
// controllers' own words (Blocked still says why).
func (c *Cluster) deadlineExceeded(o *unstructured.Unstructured) {
	switch o.GroupVersionKind().GroupKind() {
	case gk("", "Pod"):
		setStatus(o, map[string]any{"phase": "Failed", "reason": "DeadlineExceeded",
			"message": "Pod was active on the node longer than the specified deadline"})
	case gk("batch", "Job"):
		st, _, _ := unstructured.NestedString(o.Object, "status", "startTime")
		msg := "Job was active longer than specified deadline"
		setStatus(o, map[string]any{"startTime": st, "failed": int64(0), "active": int64(0),
			"conditions": []any{
				c.condition("FailureTarget", "True", "DeadlineExceeded", msg),
				c.condition("Failed", "True", "DeadlineExceeded", msg),
			}})
	case gk("apps", "Deployment"):
		r := replicas(o)
		setStatus(o, map[string]any{"observedGeneration": o.GetGeneration(), "replicas": r, "updatedReplicas": r, "unavailableReplicas": r,
			"conditions": []any{
				c.condition("Available", "False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability."),
				c.condition("Progressing", "False", "ProgressDeadlineExceeded", fmt.Sprintf("ReplicaSet %q has timed out progressing.", o.GetName())),
			}})
	}
}

// blockOrStart checks the pods of a pending object (c.mu is held): while an object they need is
// missing the object is blocked (with its deadline, if any); once nothing is missing it starts
// and reaches its health after its duration. It reports whether the entry changed.
func (c *Cluster) blockOrStart(key kube.ResourceKey, e *entry) bool {
	if c.seeding || !e.pending {
		return false
	}
	b := c.podBlock(e.obj)
	if b.kind == blockNone {
		b = c.addressBlock(e.obj)
	}
	if b == e.blocked {
		return false
	}
	o := e.obj.DeepCopy()
	was := e.blocked
	e.blocked = b
	if b.kind == blockNone {
		// the pod retries and starts now
		delete(c.blocked, key)
		e.deadline = 0
		if k, ok := kindOf(o); ok && k.progressing != nil {
			k.progressing(c, o)
		}
		e.readyAt = c.now + c.duration(o)
	} else {
		c.blocked[key] = true
		c.blockStatus(o, b)
		if was.kind == blockNone {
			e.deadline = 0
			// an unscheduled pod has not started: its activeDeadlineSeconds does not run
			unscheduledPod := b.kind == blockSchedule && o.GetKind() == "Pod"
			if d := deadlineOf(o); d > 0 && !unscheduledPod {
				e.deadline = c.now + d
			}
		}
	}
	o.SetResourceVersion(c.nextRV())
	e.obj = o
	return true
}

// recheck lets blocked pods retry after an object was created.
func (c *Cluster) recheck() {
	for key := range c.blocked {
		if e, ok := c.objs[key]; ok {
			c.blockOrStart(key, e)
		} else {
			delete(c.blocked, key)
		}
	}
}

// expire fails a blocked object whose deadline passed.
func (c *Cluster) expire(key kube.ResourceKey, e *entry) {
	o := e.obj.DeepCopy()
	c.deadlineExceeded(o)
	e.pending = false
	delete(c.blocked, key)
	o.SetResourceVersion(c.nextRV())
	e.obj = o
}

// Blocked says why the pods of an object cannot start (the missing object, as the component
// that stops them reports it), or "".
func (c *Cluster) Blocked(key kube.ResourceKey) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.objs[key]; ok {
		return e.blocked.String()
	}
	return ""
}
