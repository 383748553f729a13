// Package sim is wavecheck's embedded simulated cluster: an in-process Kubernetes API (discovery
// and an object store honouring dry-run, create/apply, PUT, DELETE with finalizers and
// generateName), served to client-go through an http.RoundTripper and to gitops-engine through a
// kube.Kubectl implementation, plus a controller that moves objects to their health on a
// simulated clock. Nothing sleeps: time only moves when the caller advances it.
package sim

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"

	"github.com/argoproj/argo-cd/gitops-engine/v3/pkg/utils/kube"
)

// Fault is what the simulated cluster does to one object.
type Fault int

const (
	// FaultNone lets the object reach its health.
	FaultNone Fault = iota
	// FaultFail makes a Job, Pod or Workflow fail, a Deployment or ReplicaSet go Degraded, a
	// PersistentVolumeClaim get Lost, and rejects the apply of any other kind.
	FaultFail
	// FaultHang keeps the object progressing forever.
	FaultHang
)

// Options configure a simulated cluster.
type Options struct {
	// Start is the wall-clock time of simulated second zero (creation timestamps).
	Start time.Time
	// Namespaces exist from the start (e.g. the sync's target namespace).
	Namespaces []string
	// DefaultNamespace is given to seeded namespaced objects without a namespace.
	DefaultNamespace string
	// Durations override, per lower-case kind, how long an object takes to reach its health.
	Durations map[string]time.Duration
	// Fault says what happens to an object (nil: nothing).
	Fault func(kind, name string) Fault
	// Known are objects that may be applied: a CRD among them defines its kinds, served once the
	// CRD exists. A kind that is neither built in, nor defined by a CRD of Known or of the seeded
	// live objects, nor the kind of a live object, is not served: its objects fail as on a real
	// API server ("the server could not find the requested resource", "no matches for kind").
	Known []*unstructured.Unstructured
	// LoadBalancer is the model of the cluster's load balancer (default LoadBalancerCloud).
	LoadBalancer LoadBalancer
	// ServeUnknownKinds serves every kind of Known as if its CRD were installed (for ordering
	// without health, where a missing CRD does not matter).
	ServeUnknownKinds bool
	// ArgoCD installs Argo CD's CRDs (Application, ApplicationSet, AppProject) and its
	// namespace, as in a cluster where Argo CD runs (app-of-apps).
	ArgoCD bool
}

type entry struct {
	obj *unstructured.Unstructured // never mutated once stored
	// readyAt is when the controller moves the object to its final state; pending is false
	// once it did (or when the kind has nothing to do).
	readyAt time.Duration
	pending bool
	fault   Fault
	// blocked says why the object's pods cannot start (pods.go); deadline is when it fails
	// if they still cannot (activeDeadlineSeconds, progressDeadlineSeconds; 0: never).
	blocked  block
	deadline time.Duration
}

// Cluster is a simulated cluster. It is safe for concurrent use (gitops-engine applies in
// parallel goroutines).
type Cluster struct {
	mu   sync.Mutex
	opts Options
	reg  *registry
	objs map[kube.ResourceKey]*entry
	now  time.Duration
	rv   int64
	// version counts every change of an object or of the clock
	version uint64
	// blocked are the pending objects whose pods cannot start
	blocked map[kube.ResourceKey]bool
	// seeding is set while live objects are stored at their health
	seeding bool
	uid     int64
	start   time.Time
}

// New returns a simulated cluster with opts.Namespaces created.
func New(opts Options) *Cluster {
	c := &Cluster{opts: opts, reg: newRegistry(), objs: map[kube.ResourceKey]*entry{}, blocked: map[kube.ResourceKey]bool{}, start: opts.Start}
	if c.start.IsZero() {
		c.start = time.Unix(0, 0).UTC()
	}
	for _, o := range opts.Known {
		if isCRD(o) {
			c.reg.addCRD(o)
		}
	}
	if opts.ServeUnknownKinds {
		for _, o := range opts.Known {
			if !isCRD(o) {
				c.reg.addGuess(o.GroupVersionKind(), true)
			}
		}
	}
	namespaces := opts.Namespaces
	if opts.ArgoCD {
		namespaces = append(slices.Clone(namespaces), ArgoCDNamespace)
	}
	for _, ns := range namespaces {
		if ns == "" || c.objs[kube.ResourceKey{Kind: "Namespace", Name: ns}] != nil {
			continue
		}
		obj := &unstructured.Unstructured{}
		obj.SetAPIVersion("v1")
		obj.SetKind("Namespace")
		obj.SetName(ns)
		c.store(obj, nil)
	}
	if opts.ArgoCD {
		for _, crd := range argoCDCRDs() {
			c.reg.addCRD(crd)
			c.store(crd, nil)
		}
	}
	return c
}

func isCRD(o *unstructured.Unstructured) bool {
	return o.GetKind() == "CustomResourceDefinition" && o.GroupVersionKind().Group == "apiextensions.k8s.io"
}

// Now returns the simulated time since the start.
func (c *Cluster) Now() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Version changes whenever an object or the clock changes: a counter that only goes up.
func (c *Cluster) Version() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.version
}

// Advance moves the clock forward by d and lets the controller act.
func (c *Cluster) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d > 0 {
		c.now += d
		c.version++
	}
	c.reconcile()
}

// NextEvent returns when the controller will next change an object, if ever.
func (c *Cluster) NextEvent() (time.Duration, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var next time.Duration
	found := false
	for _, e := range c.objs {
		at, ok := e.nextEvent()
		if ok && (!found || at < next) {
			next, found = at, true
		}
	}
	return next, found
}

// Settling reports whether the object of key exists and is still on its way to its final state
// at a later simulated time (and will get there). Failed reports an injected failure that
// already happened.
func (c *Cluster) Settling(key kube.ResourceKey) (settling, failed bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.objs[key]
	if !ok {
		return false, false
	}
	at, will := e.nextEvent()
	return will && at > c.now, !e.pending && e.fault == FaultFail
}

// nextEvent is when the controller will next change the entry, if ever.
func (e *entry) nextEvent() (time.Duration, bool) {
	switch {
	case !e.pending:
		return 0, false
	case e.blocked.kind != blockNone:
		return e.deadline, e.deadline > 0
	case e.fault == FaultHang:
		return 0, false
	}
	return e.readyAt, true
}

// IsNamespaced implements kube.ResourceInfoProvider.
func (c *Cluster) IsNamespaced(gk schema.GroupKind) (bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	res, ok := c.reg.byGK[gk]
	if !ok {
		return false, apierrors.NewNotFound(schema.GroupResource{Group: gk.Group, Resource: gk.Kind}, "")
	}
	return res.namespaced, nil
}

// Objects returns every stored object, sorted by key. Objects with finalizers are copies;
// the others are shared and must not be modified.
func (c *Cluster) Objects() []*unstructured.Unstructured {
	c.mu.Lock()
	defer c.mu.Unlock()
	keys := make([]kube.ResourceKey, 0, len(c.objs))
	for k := range c.objs {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
	out := make([]*unstructured.Unstructured, 0, len(keys))
	for _, k := range keys {
		out = append(out, c.handOut(c.objs[k].obj))
	}
	return out
}

// ForEach calls f for every stored object (unsorted; f must not modify obj unless it has
// finalizers, in which case obj is a copy).
func (c *Cluster) ForEach(f func(key kube.ResourceKey, obj *unstructured.Unstructured)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, e := range c.objs {
		f(k, c.handOut(e.obj))
	}
}

func (c *Cluster) handOut(o *unstructured.Unstructured) *unstructured.Unstructured {
	if len(o.GetFinalizers()) > 0 {
		return o.DeepCopy()
	}
	return o
}

// served reports whether a resource is currently served (a CRD-defined kind needs its CRD).
func (c *Cluster) served(res *apiResource) bool {
	if res.fromCRD == "" {
		return true
	}
	_, ok := c.objs[kube.ResourceKey{Group: "apiextensions.k8s.io", Kind: "CustomResourceDefinition", Name: res.fromCRD}]
	return ok
}

// resourceFor returns the served resource for a GVK.
func (c *Cluster) resourceFor(gvk schema.GroupVersionKind) (*apiResource, error) {
	res, ok := c.reg.byGVK[gvk]
	if !ok || !c.served(res) {
		return nil, apierrors.NewNotFound(schema.GroupResource{Group: gvk.Group, Resource: gvk.Kind}, "")
	}
	return res, nil
}

func (c *Cluster) key(res *apiResource, namespace, name string) kube.ResourceKey {
	if !res.namespaced {
		namespace = ""
	}
	return kube.ResourceKey{Group: res.gvk.Group, Kind: res.gvk.Kind, Namespace: namespace, Name: name}
}

func (c *Cluster) nextRV() string {
	c.rv++
	c.version++
	return strconv.FormatInt(c.rv, 10)
}

// store saves a new object: system metadata, the controller's initial status. c.mu is held
// (or the cluster is not shared yet).
func (c *Cluster) store(obj *unstructured.Unstructured, res *apiResource) *unstructured.Unstructured {
	if res == nil {
		r, err := c.resourceFor(obj.GroupVersionKind())
		if err != nil {
			return nil
		}
		res = r
	}
	c.uid++
	obj.SetUID(types.UID(fmt.Sprintf("00000000-0000-0000-0000-%012d", c.uid)))
	obj.SetResourceVersion(c.nextRV())
	obj.SetCreationTimestamp(metav1.NewTime(c.start.Add(c.now)))
	obj.SetGeneration(1)
	if !res.namespaced {
		obj.SetNamespace("")
	}
	key := c.key(res, obj.GetNamespace(), obj.GetName())
	e := &entry{obj: obj, fault: FaultNone}
	if c.opts.Fault != nil {
		e.fault = c.opts.Fault(obj.GetKind(), obj.GetName())
	}
	c.objs[key] = e
	c.initStatus(key, e)
	if isCRD(obj) {
		c.reg.addCRD(obj)
	}
	c.recheck()
	return obj
}

// Duration is how long an object of kind takes to reach its health (--duration, else the
// kind's default; 0 for kinds without a health check).
func (c *Cluster) Duration(kind string) time.Duration {
	if d, ok := c.opts.Durations[strings.ToLower(kind)]; ok {
		return d
	}
	for gk, k := range kinds {
		if strings.EqualFold(gk.Kind, kind) {
			return k.duration
		}
	}
	return 0
}

// duration is how long an object takes to reach its health (--duration, else its kind's).
func (c *Cluster) duration(o *unstructured.Unstructured) time.Duration {
	if d, ok := c.opts.Durations[strings.ToLower(o.GetKind())]; ok {
		return d
	}
	k, _ := kindOf(o)
	return k.duration
}

// reconcile runs the controller: objects whose time has come reach their final state.
func (c *Cluster) reconcile() {
	for key, e := range c.objs {
		switch {
		case !e.pending:
		case e.blocked.kind != blockNone:
			if e.deadline > 0 && c.now >= e.deadline {
				c.expire(key, e)
			}
		case e.fault != FaultHang && c.now >= e.readyAt:
			c.finishStatus(e)
		}
	}
}

// Refused is an apply rejected by the simulated API server (an injected fault).
type Refused struct{ Ref string }

func (r *Refused) Error() string {
	return fmt.Sprintf("admission webhook \"wavecheck.simulated\" denied the request: %s rejected (--fail)", r.Ref)
}

// applyMode says how an object is written.
type applyMode int

const (
	modeApply   applyMode = iota // kubectl apply: create or merge
	modeCreate                   // create only
	modeReplace                  // replace (create if missing)
)

// write creates or updates obj. dry validates only.
func (c *Cluster) write(obj *unstructured.Unstructured, dry bool, mode applyMode) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	gvk := obj.GroupVersionKind()
	res, err := c.resourceFor(gvk)
	if err != nil {
		return "", fmt.Errorf("resource mapping not found for name: %q namespace: %q: no matches for kind %q in version %q", obj.GetName(), obj.GetNamespace(), gvk.Kind, gvk.GroupVersion().String())
	}
	name := obj.GetName()
	if name == "" {
		return "", apierrors.NewBadRequest(fmt.Sprintf("%s: resource name may not be empty", gvk.Kind))
	}
	ns := obj.GetNamespace()
	ref := strings.ToLower(gvk.Kind)
	if gvk.Group != "" {
		ref += "." + gvk.Group
	}
	ref += "/" + name
	if dry {
		return ref + " created (dry run)", nil
	}
	if res.namespaced {
		if ns == "" {
			ns = "default"
		}
		if _, ok := c.objs[kube.ResourceKey{Kind: "Namespace", Name: ns}]; !ok {
			return "", apierrors.NewNotFound(schema.GroupResource{Resource: "namespaces"}, ns)
		}
	}
	if c.opts.Fault != nil && c.opts.Fault(gvk.Kind, name) == FaultFail && !failsByHealth(gvk.GroupKind()) {
		return "", &Refused{Ref: gvk.Kind + "/" + name}
	}
	key := c.key(res, ns, name)
	cur, exists := c.objs[key]
	if exists && mode == modeCreate {
		return "", apierrors.NewAlreadyExists(schema.GroupResource{Group: gvk.Group, Resource: res.plural}, name)
	}
	if !exists {
		o := obj.DeepCopy()
		o.SetNamespace(ns)
		if err := c.admit(o); err != nil {
			return "", err
		}
		c.store(o, res)
		return ref + " created", nil
	}
	if gvk.Kind == "Job" && gvk.Group == "batch" {
		oldT, _, _ := unstructured.NestedFieldNoCopy(cur.obj.Object, "spec", "template")
		newT, _, _ := unstructured.NestedFieldNoCopy(obj.Object, "spec", "template")
		if !equalJSON(oldT, newT) {
			// the API server's wording, which users search for
			return "", &apierrors.StatusError{ErrStatus: metav1.Status{
				Status: metav1.StatusFailure, Code: 422, Reason: metav1.StatusReasonInvalid,
				Message: fmt.Sprintf("Job.batch %q is invalid: spec.template: Invalid value: field is immutable", name),
			}}
		}
	}
	updated := obj.DeepCopy()
	updated.SetNamespace(ns)
	old := cur.obj
	updated.SetUID(old.GetUID())
	updated.SetCreationTimestamp(old.GetCreationTimestamp())
	updated.SetResourceVersion(c.nextRV())
	if ts := old.GetDeletionTimestamp(); ts != nil {
		updated.SetDeletionTimestamp(ts)
	}
	gen := old.GetGeneration()
	if !equalJSON(old.Object["spec"], updated.Object["spec"]) {
		gen++
	}
	updated.SetGeneration(gen)
	if st, ok := old.Object["status"]; ok {
		updated.Object["status"] = st
	}
	if mode == modeApply && len(updated.GetFinalizers()) == 0 && len(old.GetFinalizers()) > 0 {
		updated.SetFinalizers(old.GetFinalizers())
	}
	cur.obj = updated
	if gen != old.GetGeneration() {
		// a changed spec rolls out again
		if c.opts.Fault != nil {
			cur.fault = c.opts.Fault(gvk.Kind, name)
		}
		c.initStatus(key, cur)
	}
	return ref + " configured", nil
}

// get returns a stored object.
func (c *Cluster) get(key kube.ResourceKey) (*unstructured.Unstructured, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.objs[key]
	if !ok {
		return nil, false
	}
	return e.obj.DeepCopy(), true
}

// update is a PUT: optimistic concurrency on resourceVersion; the status is kept (it is a
// subresource); clearing the last finalizer of an object being deleted removes it.
func (c *Cluster) update(key kube.ResourceKey, obj *unstructured.Unstructured, dry bool) (*unstructured.Unstructured, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.objs[key]
	gr := schema.GroupResource{Group: key.Group, Resource: key.Kind}
	if !ok {
		return nil, apierrors.NewNotFound(gr, key.Name)
	}
	if rv := obj.GetResourceVersion(); rv != "" && rv != e.obj.GetResourceVersion() {
		return nil, apierrors.NewConflict(gr, key.Name, fmt.Errorf("the object has been modified; please apply your changes to the latest version and try again"))
	}
	updated := obj.DeepCopy()
	old := e.obj
	updated.SetUID(old.GetUID())
	updated.SetCreationTimestamp(old.GetCreationTimestamp())
	if ts := old.GetDeletionTimestamp(); ts != nil {
		updated.SetDeletionTimestamp(ts)
	}
	if st, ok := old.Object["status"]; ok {
		updated.Object["status"] = st
	} else {
		delete(updated.Object, "status")
	}
	if dry {
		return updated, nil
	}
	updated.SetResourceVersion(c.nextRV())
	if updated.GetDeletionTimestamp() != nil && len(updated.GetFinalizers()) == 0 {
		delete(c.objs, key)
		return updated, nil
	}
	e.obj = updated
	return updated.DeepCopy(), nil
}

// remove is a DELETE: objects with finalizers get a deletion timestamp, others disappear.
func (c *Cluster) remove(key kube.ResourceKey, dry bool) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.objs[key]
	if !ok {
		return apierrors.NewNotFound(schema.GroupResource{Group: key.Group, Resource: key.Kind}, key.Name)
	}
	if dry {
		return nil
	}
	if len(e.obj.GetFinalizers()) == 0 {
		delete(c.objs, key)
		return nil
	}
	if e.obj.GetDeletionTimestamp() == nil {
		o := e.obj.DeepCopy()
		ts := metav1.NewTime(c.start.Add(c.now))
		o.SetDeletionTimestamp(&ts)
		o.SetResourceVersion(c.nextRV())
		e.obj = o
	}
	return nil
}

// Seed stores existing objects (e.g. the live state before a sync), already at their health.
func (c *Cluster) Seed(objs []*unstructured.Unstructured) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, o := range objs {
		if isCRD(o) {
			c.reg.addCRD(o)
		}
	}
	for _, o := range objs {
		c.reg.addGuess(o.GroupVersionKind(), o.GetNamespace() != "")
	}
	for _, o := range objs {
		res, err := c.resourceFor(o.GroupVersionKind())
		if err != nil {
			return fmt.Errorf("seed %s/%s: kind not served", o.GetKind(), o.GetName())
		}
		cp := o.DeepCopy()
		if res.namespaced && cp.GetNamespace() == "" {
			cp.SetNamespace(c.opts.DefaultNamespace)
			if cp.GetNamespace() == "" {
				cp.SetNamespace("default")
			}
		}
		if res.namespaced {
			nsKey := kube.ResourceKey{Kind: "Namespace", Name: cp.GetNamespace()}
			if _, ok := c.objs[nsKey]; !ok {
				ns := &unstructured.Unstructured{}
				ns.SetAPIVersion("v1")
				ns.SetKind("Namespace")
				ns.SetName(cp.GetNamespace())
				c.store(ns, nil)
			}
		}
		key := c.key(res, cp.GetNamespace(), cp.GetName())
		if _, ok := c.objs[key]; ok {
			return fmt.Errorf("seed %s/%s: defined twice", o.GetKind(), o.GetName())
		}
		fault := c.opts.Fault
		c.opts.Fault, c.seeding = nil, true
		stored := c.store(cp, res)
		c.opts.Fault, c.seeding = fault, false
		if e := c.objs[key]; e != nil && stored != nil {
			c.finishStatus(e)
		}
	}
	c.recheck()
	return nil
}

// equalJSON compares two JSON values of unstructured objects semantically (apimachinery's
// equality.Semantic: ["a b"] and ["a","b"] differ; nil and empty maps and lists are equal).
func equalJSON(a, b any) bool {
	return equality.Semantic.DeepEqual(a, b)
}
