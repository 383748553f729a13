package sim

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	cmdutil "k8s.io/kubectl/pkg/cmd/util"

	"github.com/argoproj/argo-cd/gitops-engine/v3/pkg/health"
	"github.com/argoproj/argo-cd/gitops-engine/v3/pkg/utils/kube"
)

func obj(apiVersion, kind, ns, name string, extra map[string]any) *unstructured.Unstructured {
	o := map[string]any{"apiVersion": apiVersion, "kind": kind, "metadata": map[string]any{"name": name}}
	if ns != "" {
		o["metadata"].(map[string]any)["namespace"] = ns
	}
	for k, v := range extra {
		o[k] = v
	}
	return &unstructured.Unstructured{Object: o}
}

func job(name string) *unstructured.Unstructured {
	return obj("batch/v1", "Job", "default", name, map[string]any{"spec": map[string]any{"template": map[string]any{
		"spec": map[string]any{"restartPolicy": "Never", "containers": []any{map[string]any{"name": "c", "image": "busybox"}}}}}})
}

func deployment(name string) *unstructured.Unstructured {
	return obj("apps/v1", "Deployment", "default", name, map[string]any{"spec": map[string]any{"replicas": int64(2)}})
}

func crd() *unstructured.Unstructured {
	return obj("apiextensions.k8s.io/v1", "CustomResourceDefinition", "", "widgets.example.com", map[string]any{"spec": map[string]any{
		"group": "example.com", "scope": "Namespaced",
		"names":    map[string]any{"kind": "Widget", "plural": "widgets"},
		"versions": []any{map[string]any{"name": "v1", "served": true, "storage": true}},
	}})
}

func healthOf(t *testing.T, c *Cluster, key kube.ResourceKey) string {
	t.Helper()
	o, ok := c.get(key)
	if !ok {
		t.Fatalf("%s not stored", key)
	}
	h, err := health.GetResourceHealth(o, nil)
	if err != nil {
		t.Fatalf("health of %s: %v", key, err)
	}
	if h == nil {
		return "none"
	}
	return string(h.Status)
}

func TestApplyHonoursDryRun(t *testing.T) {
	c := New(Options{Namespaces: []string{"default"}})
	ops, _, _ := c.Kubectl().ManageResources(nil)
	ctx := context.Background()
	if _, err := ops.ApplyResource(ctx, job("a"), cmdutil.DryRunClient, false, true, false, ""); err != nil {
		t.Fatal(err)
	}
	if _, ok := c.get(kube.ResourceKey{Group: "batch", Kind: "Job", Namespace: "default", Name: "a"}); ok {
		t.Fatal("dry-run apply stored the object")
	}
	msg, err := ops.ApplyResource(ctx, job("a"), cmdutil.DryRunNone, false, true, false, "")
	if err != nil || msg != "job.batch/a created" {
		t.Fatalf("apply = %q, %v", msg, err)
	}
	d := deployment("web")
	if _, err := ops.ApplyResource(ctx, d, cmdutil.DryRunNone, false, true, false, ""); err != nil {
		t.Fatal(err)
	}
	d.Object["spec"].(map[string]any)["replicas"] = int64(3)
	msg, err = ops.ApplyResource(ctx, d, cmdutil.DryRunNone, false, true, false, "")
	if err != nil || msg != "deployment.apps/web configured" {
		t.Fatalf("re-apply = %q, %v", msg, err)
	}
	got, _ := c.get(kube.ResourceKey{Group: "apps", Kind: "Deployment", Namespace: "default", Name: "web"})
	if got.GetGeneration() != 2 {
		t.Errorf("generation = %d after a spec change, want 2", got.GetGeneration())
	}
	// a Job's pod template is immutable, as on a real API server
	changed := job("a")
	changed.Object["spec"].(map[string]any)["template"].(map[string]any)["spec"].(map[string]any)["restartPolicy"] = "OnFailure"
	if _, err := ops.ApplyResource(ctx, changed, cmdutil.DryRunNone, false, true, false, ""); err == nil || !strings.Contains(err.Error(), "field is immutable") {
		t.Errorf("changing a Job template: err = %v, want field is immutable", err)
	}
	// objects in a missing namespace are refused
	if _, err := ops.ApplyResource(ctx, obj("v1", "ConfigMap", "nowhere", "x", nil), cmdutil.DryRunNone, false, true, false, ""); !apierrors.IsNotFound(err) {
		t.Errorf("apply in a missing namespace: err = %v, want NotFound", err)
	}
}

func TestDiscoveryServesCRDKindsOnceCreated(t *testing.T) {
	c := New(Options{Known: []*unstructured.Unstructured{crd(), obj("example.com/v1", "Widget", "default", "w", nil)}})
	disco, err := discovery.NewDiscoveryClientForConfig(c.RESTConfig())
	if err != nil {
		t.Fatal(err)
	}
	gvk := schema.GroupVersionKind{Group: "example.com", Version: "v1", Kind: "Widget"}
	if _, err := kube.ServerResourceForGroupVersionKind(disco, gvk, "get"); err == nil {
		t.Fatal("Widget served before its CRD exists")
	}
	if _, err := c.write(crd(), false, modeApply); err != nil {
		t.Fatal(err)
	}
	res, err := kube.ServerResourceForGroupVersionKind(disco, gvk, "get")
	if err != nil {
		t.Fatalf("Widget not served after its CRD: %v", err)
	}
	if diff := cmp.Diff(metav1.APIResource{Name: "widgets", Namespaced: true, Kind: "Widget", Verbs: verbs}, *res); diff != "" {
		t.Errorf("discovery (-want +got):\n%s", diff)
	}
	if h := healthOf(t, c, kube.ResourceKey{Group: "apiextensions.k8s.io", Kind: "CustomResourceDefinition", Name: "widgets.example.com"}); h != "none" {
		t.Errorf("CRD health = %s", h)
	}
}

func TestFinalizersConflictsAndGenerateName(t *testing.T) {
	c := New(Options{Namespaces: []string{"default"}})
	dyn, err := dynamic.NewForConfig(c.RESTConfig())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	jobs := dyn.Resource(schema.GroupVersionResource{Group: "batch", Version: "v1", Resource: "jobs"}).Namespace("default")
	gen := job("")
	gen.SetGenerateName("hook-")
	gen.SetFinalizers([]string{"argocd.argoproj.io/hook-finalizer"})
	created, err := jobs.Create(ctx, gen, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create with generateName: %v", err)
	}
	if !strings.HasPrefix(created.GetName(), "hook-") || len(created.GetName()) != len("hook-")+5 {
		t.Fatalf("generated name %q", created.GetName())
	}
	name := created.GetName()
	if err := jobs.Delete(ctx, name, metav1.DeleteOptions{DryRun: []string{"All"}}); err != nil {
		t.Fatal(err)
	}
	live, err := jobs.Get(ctx, name, metav1.GetOptions{})
	if err != nil || live.GetDeletionTimestamp() != nil {
		t.Fatalf("dry-run delete changed the object: %v %v", live, err)
	}
	if err := jobs.Delete(ctx, name, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	live, err = jobs.Get(ctx, name, metav1.GetOptions{})
	if err != nil || live.GetDeletionTimestamp() == nil {
		t.Fatalf("delete with a finalizer: want a deletion timestamp, got %v, %v", live, err)
	}
	stale := live.DeepCopy()
	stale.SetResourceVersion("1")
	stale.SetFinalizers(nil)
	if _, err := jobs.Update(ctx, stale, metav1.UpdateOptions{}); !apierrors.IsConflict(err) {
		t.Fatalf("stale update: err = %v, want Conflict", err)
	}
	live.SetFinalizers(nil)
	if _, err := jobs.Update(ctx, live, metav1.UpdateOptions{}); err != nil {
		t.Fatalf("remove finalizer: %v", err)
	}
	if _, err := jobs.Get(ctx, name, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Fatalf("object still there after its last finalizer went: %v", err)
	}
}

func TestControllerMovesObjectsToHealth(t *testing.T) {
	tests := []struct {
		name   string
		obj    *unstructured.Unstructured
		fault  Fault
		before string
		after  string
		at     time.Duration
	}{
		{name: "job completes", obj: job("j"), before: "Progressing", after: "Healthy", at: 10 * time.Second},
		{name: "job fails", obj: job("j"), fault: FaultFail, before: "Progressing", after: "Degraded", at: 10 * time.Second},
		{name: "job hangs", obj: job("j"), fault: FaultHang, before: "Progressing", after: "Progressing"},
		{name: "deployment available", obj: deployment("d"), before: "Progressing", after: "Healthy", at: 5 * time.Second},
		{name: "deployment degraded", obj: deployment("d"), fault: FaultFail, before: "Progressing", after: "Degraded", at: 5 * time.Second},
		{name: "statefulset ready", obj: obj("apps/v1", "StatefulSet", "default", "s", map[string]any{"spec": map[string]any{}}), before: "Progressing", after: "Healthy", at: 5 * time.Second},
		{name: "daemonset available", obj: obj("apps/v1", "DaemonSet", "default", "ds", map[string]any{"spec": map[string]any{}}), before: "Progressing", after: "Healthy", at: 5 * time.Second},
		{name: "pod Never succeeds", obj: obj("v1", "Pod", "default", "p", map[string]any{"spec": map[string]any{"restartPolicy": "Never"}}), before: "Progressing", after: "Healthy", at: 10 * time.Second},
		{name: "pod Always ready", obj: obj("v1", "Pod", "default", "p", map[string]any{"spec": map[string]any{}}), before: "Progressing", after: "Healthy", at: 10 * time.Second},
		{name: "pvc bound", obj: obj("v1", "PersistentVolumeClaim", "default", "pvc", nil), before: "Progressing", after: "Healthy", at: 2 * time.Second},
		{name: "loadbalancer service gets an address", obj: obj("v1", "Service", "default", "lb", map[string]any{"spec": map[string]any{"type": "LoadBalancer"}}), before: "Progressing", after: "Healthy", at: 2 * time.Second},
		{name: "clusterip service healthy at once", obj: obj("v1", "Service", "default", "svc", map[string]any{"spec": map[string]any{}}), before: "Healthy", after: "Healthy"},
		{name: "ingress gets an address", obj: obj("networking.k8s.io/v1", "Ingress", "default", "in", map[string]any{"spec": map[string]any{}}), before: "Progressing", after: "Healthy", at: 2 * time.Second},
		{name: "apiservice available", obj: obj("apiregistration.k8s.io/v1", "APIService", "", "v1.example.com", map[string]any{"spec": map[string]any{}}), before: "Progressing", after: "Healthy", at: 2 * time.Second},
		{name: "hpa scaling", obj: obj("autoscaling/v2", "HorizontalPodAutoscaler", "default", "h", map[string]any{"spec": map[string]any{}}), before: "Progressing", after: "Healthy", at: 2 * time.Second},
		{name: "pvc lost", obj: obj("v1", "PersistentVolumeClaim", "default", "pvc", nil), fault: FaultFail, before: "Progressing", after: "Degraded", at: 2 * time.Second},
		{name: "configmap has no health", obj: obj("v1", "ConfigMap", "default", "cm", nil), before: "none", after: "none"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := New(Options{Namespaces: []string{"default"}, Fault: func(string, string) Fault { return tc.fault }})
			if _, err := c.write(tc.obj, false, modeApply); err != nil {
				t.Fatal(err)
			}
			key := kube.GetResourceKey(tc.obj)
			if got := healthOf(t, c, key); got != tc.before {
				t.Errorf("health at creation = %s, want %s", got, tc.before)
			}
			next, ok := c.NextEvent()
			if ok != (tc.at > 0) || next != tc.at {
				t.Errorf("next event = %s, %v; want %s", next, ok, tc.at)
			}
			c.Advance(time.Hour)
			if got := healthOf(t, c, key); got != tc.after {
				t.Errorf("health after an hour = %s, want %s", got, tc.after)
			}
		})
	}
}

func TestDurationsAndFaultMatcher(t *testing.T) {
	c := New(Options{Namespaces: []string{"default"}, Durations: map[string]time.Duration{"job": 30 * time.Second}})
	if _, err := c.write(job("j"), false, modeApply); err != nil {
		t.Fatal(err)
	}
	if next, _ := c.NextEvent(); next != 30*time.Second {
		t.Errorf("next event = %s, want 30s (--duration Job=30s)", next)
	}
	m := FaultMatcher([]string{"job/migrate", "Job/hook-"}, []string{"Deployment/web"})
	for _, tc := range []struct {
		kind, name string
		want       Fault
	}{
		{"Job", "migrate", FaultFail},
		{"Job", "migrate-2", FaultNone},
		{"Job", "hook-0000000-presync-1767225600", FaultFail},
		{"Job", "hook-abcde", FaultFail},
		{"Deployment", "web", FaultHang},
		{"ConfigMap", "web", FaultNone},
	} {
		if got := m(tc.kind, tc.name); got != tc.want {
			t.Errorf("fault(%s/%s) = %v, want %v", tc.kind, tc.name, got, tc.want)
		}
	}
}

// Regression: objects were compared with fmt.Sprint, so ["a b"] equalled ["a","b"]: a changed
// Job template was accepted and a changed Deployment spec did not roll out again.
func TestSemanticEquality(t *testing.T) {
	withArgs := func(o *unstructured.Unstructured, path []string, args ...any) *unstructured.Unstructured {
		c := o.DeepCopy()
		if err := unstructured.SetNestedSlice(c.Object, []any{map[string]any{"name": "c", "image": "busybox", "args": args}}, path...); err != nil {
			t.Fatal(err)
		}
		return c
	}
	tests := []struct {
		a, b []any
		want bool
	}{
		{a: []any{"a b"}, b: []any{"a", "b"}, want: false},
		{a: []any{"a", "b"}, b: []any{"a", "b"}, want: true},
		{a: []any{int64(1)}, b: []any{"1"}, want: false},
	}
	for _, tc := range tests {
		if got := equalJSON(map[string]any{"args": tc.a}, map[string]any{"args": tc.b}); got != tc.want {
			t.Errorf("equalJSON(%#v, %#v) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
	if !equalJSON(map[string]any{"x": []any{}}, map[string]any{"x": []any(nil)}) {
		t.Error("an empty and a nil list differ")
	}
	c := New(Options{Namespaces: []string{"default"}})
	ops, _, _ := c.Kubectl().ManageResources(nil)
	ctx := context.Background()
	jobPath := []string{"spec", "template", "spec", "containers"}
	if _, err := ops.ApplyResource(ctx, withArgs(job("j"), jobPath, "a b"), cmdutil.DryRunNone, false, true, false, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := ops.ApplyResource(ctx, withArgs(job("j"), jobPath, "a", "b"), cmdutil.DryRunNone, false, true, false, ""); err == nil || !strings.Contains(err.Error(), "field is immutable") {
		t.Errorf("Job template args [a b] -> [a, b]: err = %v, want field is immutable", err)
	}
	depPath := []string{"spec", "template", "spec", "containers"}
	if _, err := ops.ApplyResource(ctx, withArgs(deployment("d"), depPath, "a b"), cmdutil.DryRunNone, false, true, false, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := ops.ApplyResource(ctx, withArgs(deployment("d"), depPath, "a", "b"), cmdutil.DryRunNone, false, true, false, ""); err != nil {
		t.Fatal(err)
	}
	if got, _ := c.get(kube.ResourceKey{Group: "apps", Kind: "Deployment", Namespace: "default", Name: "d"}); got.GetGeneration() != 2 {
		t.Errorf("generation = %d after args [a b] -> [a, b], want 2", got.GetGeneration())
	}
}

// Regression: the version was rv<<20 ^ clock, so a write plus a clock move of exactly the
// right length gave the version of before, and the replay believed nothing had changed.
func TestVersionIsMonotonic(t *testing.T) {
	c := New(Options{Namespaces: []string{"default"}})
	ops, _, _ := c.Kubectl().ManageResources(nil)
	rv0 := c.rv // a small non-negative counter: the shifts below stay in int64
	before := c.Version()
	if _, err := ops.ApplyResource(context.Background(), obj("v1", "ConfigMap", "default", "cm", nil), cmdutil.DryRunNone, false, true, false, ""); err != nil {
		t.Fatal(err)
	}
	// the clock move that made the old hash collide: (rv0+1)<<20 ^ d == rv0<<20
	c.Advance(time.Duration(((rv0 + 1) << 20) ^ (rv0 << 20)))
	after := c.Version()
	if after <= before {
		t.Errorf("version %d after a write and a clock move, %d before: want it to grow", after, before)
	}
	c.Advance(0)
	if c.Version() != after {
		t.Errorf("version moved without a change: %d -> %d", after, c.Version())
	}
	c.Advance(time.Second)
	if c.Version() <= after {
		t.Errorf("version did not grow with the clock")
	}
}
