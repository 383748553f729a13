package argocd

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"sync"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/tools/cache"
	watchtools "k8s.io/client-go/tools/watch"
)

// Event is one write the API server saw, in the order of its resourceVersion (etcd's global
// revision, so events of different resources are ordered too).
type Event struct {
	RV int64
	// Action is "create" (the object appeared) or "delete" (its deletion began: the
	// deletionTimestamp was set, or it vanished at once).
	Action    string
	Kind      string
	Namespace string
	Name      string
	UID       types.UID
}

func (e Event) String() string {
	return fmt.Sprintf("%s %s/%s/%s (rv %d)", e.Action, e.Kind, e.Namespace, e.Name, e.RV)
}

// Watched are the resources the recorder follows from the start: every kind the test apps
// use. A kind missing here has no events, and the comparison reports it as missing.
var Watched = map[string]schema.GroupVersionResource{
	"Namespace":                {Version: "v1", Resource: "namespaces"},
	"ConfigMap":                {Version: "v1", Resource: "configmaps"},
	"Secret":                   {Version: "v1", Resource: "secrets"},
	"ServiceAccount":           {Version: "v1", Resource: "serviceaccounts"},
	"Service":                  {Version: "v1", Resource: "services"},
	"Pod":                      {Version: "v1", Resource: "pods"},
	"PersistentVolumeClaim":    {Version: "v1", Resource: "persistentvolumeclaims"},
	"Deployment":               {Group: "apps", Version: "v1", Resource: "deployments"},
	"ReplicaSet":               {Group: "apps", Version: "v1", Resource: "replicasets"},
	"StatefulSet":              {Group: "apps", Version: "v1", Resource: "statefulsets"},
	"DaemonSet":                {Group: "apps", Version: "v1", Resource: "daemonsets"},
	"Job":                      {Group: "batch", Version: "v1", Resource: "jobs"},
	"CronJob":                  {Group: "batch", Version: "v1", Resource: "cronjobs"},
	"Ingress":                  {Group: "networking.k8s.io", Version: "v1", Resource: "ingresses"},
	"NetworkPolicy":            {Group: "networking.k8s.io", Version: "v1", Resource: "networkpolicies"},
	"Role":                     {Group: "rbac.authorization.k8s.io", Version: "v1", Resource: "roles"},
	"RoleBinding":              {Group: "rbac.authorization.k8s.io", Version: "v1", Resource: "rolebindings"},
	"ClusterRole":              {Group: "rbac.authorization.k8s.io", Version: "v1", Resource: "clusterroles"},
	"ClusterRoleBinding":       {Group: "rbac.authorization.k8s.io", Version: "v1", Resource: "clusterrolebindings"},
	"CustomResourceDefinition": crdGVR,
	"Application":              ApplicationGVR,
}

// Recorder follows creations and deletions on the API server.
type Recorder struct {
	mu       sync.Mutex
	events   []Event
	created  map[types.UID]bool
	deleting map[types.UID]bool
	dyn      dynamic.Interface
}

// Record starts watching every resource in gvrs (all namespaces) until ctx ends. Each watch
// starts from a list's resourceVersion, so no write after Record returns is missed.
func Record(ctx context.Context, dyn dynamic.Interface, gvrs map[string]schema.GroupVersionResource) (*Recorder, error) {
	r := &Recorder{created: map[types.UID]bool{}, deleting: map[types.UID]bool{}, dyn: dyn}
	kinds := make([]string, 0, len(gvrs))
	for k := range gvrs {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, kind := range kinds {
		if err := r.Watch(ctx, kind, gvrs[kind]); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// Watch follows one more resource. Objects that exist already are not creations.
func (r *Recorder) Watch(ctx context.Context, kind string, gvr schema.GroupVersionResource) error {
	return r.watch(ctx, kind, gvr, false)
}

// WatchLate follows a resource whose type appeared during the test (a custom resource of a
// CRD the sync created): the objects that exist already count as creations at their current
// resourceVersion, which is their creation's as long as nothing wrote to them since (true
// for a custom resource no controller serves).
func (r *Recorder) WatchLate(ctx context.Context, kind string, gvr schema.GroupVersionResource) error {
	return r.watch(ctx, kind, gvr, true)
}

// The watch runs until ctx ends.
func (r *Recorder) watch(ctx context.Context, kind string, gvr schema.GroupVersionResource, listedAreNew bool) error {
	res := r.dyn.Resource(gvr)
	list, err := res.List(ctx, metav1.ListOptions{})
	if err != nil {
		return fmt.Errorf("list %s: %w", gvr.Resource, err)
	}
	for i := range list.Items {
		if listedAreNew {
			r.observe(kind, watch.Added, &list.Items[i])
			continue
		}
		r.mu.Lock()
		r.created[list.Items[i].GetUID()] = true // existed before: not a creation of the test
		r.mu.Unlock()
	}
	w, err := watchtools.NewRetryWatcherWithContext(ctx, list.GetResourceVersion(), &cache.ListWatch{
		WatchFuncWithContext: func(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error) {
			opts.AllowWatchBookmarks = true
			return res.Watch(ctx, opts)
		},
	})
	if err != nil {
		return fmt.Errorf("watch %s: %w", gvr.Resource, err)
	}
	go func() {
		defer w.Stop()
		for ev := range w.ResultChan() {
			obj, ok := ev.Object.(*unstructured.Unstructured)
			if !ok {
				continue
			}
			r.observe(kind, ev.Type, obj)
		}
	}()
	return nil
}

func (r *Recorder) observe(kind string, typ watch.EventType, obj *unstructured.Unstructured) {
	rv, err := strconv.ParseInt(obj.GetResourceVersion(), 10, 64)
	if err != nil {
		return
	}
	uid := obj.GetUID()
	r.mu.Lock()
	defer r.mu.Unlock()
	add := func(action string) {
		r.events = append(r.events, Event{RV: rv, Action: action, Kind: kind, Namespace: obj.GetNamespace(), Name: obj.GetName(), UID: uid})
	}
	switch typ {
	case watch.Added, watch.Modified:
		if !r.created[uid] {
			r.created[uid] = true
			add("create")
		}
		if obj.GetDeletionTimestamp() != nil && !r.deleting[uid] {
			r.deleting[uid] = true
			add("delete")
		}
	case watch.Deleted:
		if !r.created[uid] {
			r.created[uid] = true
			add("create")
		}
		if !r.deleting[uid] {
			r.deleting[uid] = true
			add("delete")
		}
	}
}

// Events returns the events so far that pass keep, in resourceVersion order.
func (r *Recorder) Events(keep func(Event) bool) []Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []Event
	for _, e := range r.events {
		if keep(e) {
			out = append(out, e)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].RV < out[j].RV })
	return out
}
