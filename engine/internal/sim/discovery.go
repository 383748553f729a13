package sim

import (
	"sort"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// apiResource is one resource type served by the simulated API.
type apiResource struct {
	gvk        schema.GroupVersionKind
	plural     string
	namespaced bool
	// fromCRD is set for kinds defined by a CustomResourceDefinition of the app: they are
	// served only while that CRD exists in the store.
	fromCRD string
}

// builtins are the Kubernetes kinds the simulated API serves from the start.
var builtins = []apiResource{
	{gvk: schema.GroupVersionKind{Version: "v1", Kind: "Namespace"}, plural: "namespaces"},
	{gvk: schema.GroupVersionKind{Version: "v1", Kind: "ConfigMap"}, plural: "configmaps", namespaced: true},
	{gvk: schema.GroupVersionKind{Version: "v1", Kind: "Secret"}, plural: "secrets", namespaced: true},
	{gvk: schema.GroupVersionKind{Version: "v1", Kind: "Service"}, plural: "services", namespaced: true},
	{gvk: schema.GroupVersionKind{Version: "v1", Kind: "ServiceAccount"}, plural: "serviceaccounts", namespaced: true},
	{gvk: schema.GroupVersionKind{Version: "v1", Kind: "Pod"}, plural: "pods", namespaced: true},
	{gvk: schema.GroupVersionKind{Version: "v1", Kind: "PersistentVolumeClaim"}, plural: "persistentvolumeclaims", namespaced: true},
	{gvk: schema.GroupVersionKind{Version: "v1", Kind: "PersistentVolume"}, plural: "persistentvolumes"},
	{gvk: schema.GroupVersionKind{Version: "v1", Kind: "ReplicationController"}, plural: "replicationcontrollers", namespaced: true},
	{gvk: schema.GroupVersionKind{Version: "v1", Kind: "ResourceQuota"}, plural: "resourcequotas", namespaced: true},
	{gvk: schema.GroupVersionKind{Version: "v1", Kind: "LimitRange"}, plural: "limitranges", namespaced: true},
	{gvk: schema.GroupVersionKind{Version: "v1", Kind: "Endpoints"}, plural: "endpoints", namespaced: true},
	{gvk: schema.GroupVersionKind{Version: "v1", Kind: "Event"}, plural: "events", namespaced: true},
	{gvk: schema.GroupVersionKind{Version: "v1", Kind: "Node"}, plural: "nodes"},
	{gvk: schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Deployment"}, plural: "deployments", namespaced: true},
	{gvk: schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "StatefulSet"}, plural: "statefulsets", namespaced: true},
	{gvk: schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "DaemonSet"}, plural: "daemonsets", namespaced: true},
	{gvk: schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "ReplicaSet"}, plural: "replicasets", namespaced: true},
	{gvk: schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "ControllerRevision"}, plural: "controllerrevisions", namespaced: true},
	{gvk: schema.GroupVersionKind{Group: "batch", Version: "v1", Kind: "Job"}, plural: "jobs", namespaced: true},
	{gvk: schema.GroupVersionKind{Group: "batch", Version: "v1", Kind: "CronJob"}, plural: "cronjobs", namespaced: true},
	{gvk: schema.GroupVersionKind{Group: "autoscaling", Version: "v2", Kind: "HorizontalPodAutoscaler"}, plural: "horizontalpodautoscalers", namespaced: true},
	{gvk: schema.GroupVersionKind{Group: "autoscaling", Version: "v1", Kind: "HorizontalPodAutoscaler"}, plural: "horizontalpodautoscalers", namespaced: true},
	{gvk: schema.GroupVersionKind{Group: "policy", Version: "v1", Kind: "PodDisruptionBudget"}, plural: "poddisruptionbudgets", namespaced: true},
	{gvk: schema.GroupVersionKind{Group: "networking.k8s.io", Version: "v1", Kind: "Ingress"}, plural: "ingresses", namespaced: true},
	{gvk: schema.GroupVersionKind{Group: "networking.k8s.io", Version: "v1", Kind: "IngressClass"}, plural: "ingressclasses"},
	{gvk: schema.GroupVersionKind{Group: "networking.k8s.io", Version: "v1", Kind: "NetworkPolicy"}, plural: "networkpolicies", namespaced: true},
	{gvk: schema.GroupVersionKind{Group: "rbac.authorization.k8s.io", Version: "v1", Kind: "ClusterRole"}, plural: "clusterroles"},
	{gvk: schema.GroupVersionKind{Group: "rbac.authorization.k8s.io", Version: "v1", Kind: "ClusterRoleBinding"}, plural: "clusterrolebindings"},
	{gvk: schema.GroupVersionKind{Group: "rbac.authorization.k8s.io", Version: "v1", Kind: "Role"}, plural: "roles", namespaced: true},
	{gvk: schema.GroupVersionKind{Group: "rbac.authorization.k8s.io", Version: "v1", Kind: "RoleBinding"}, plural: "rolebindings", namespaced: true},
	{gvk: schema.GroupVersionKind{Group: "storage.k8s.io", Version: "v1", Kind: "StorageClass"}, plural: "storageclasses"},
	{gvk: schema.GroupVersionKind{Group: "apiextensions.k8s.io", Version: "v1", Kind: "CustomResourceDefinition"}, plural: "customresourcedefinitions"},
	{gvk: schema.GroupVersionKind{Group: "apiregistration.k8s.io", Version: "v1", Kind: "APIService"}, plural: "apiservices"},
	{gvk: schema.GroupVersionKind{Group: "admissionregistration.k8s.io", Version: "v1", Kind: "ValidatingWebhookConfiguration"}, plural: "validatingwebhookconfigurations"},
	{gvk: schema.GroupVersionKind{Group: "admissionregistration.k8s.io", Version: "v1", Kind: "MutatingWebhookConfiguration"}, plural: "mutatingwebhookconfigurations"},
	{gvk: schema.GroupVersionKind{Group: "scheduling.k8s.io", Version: "v1", Kind: "PriorityClass"}, plural: "priorityclasses"},
	{gvk: schema.GroupVersionKind{Group: "coordination.k8s.io", Version: "v1", Kind: "Lease"}, plural: "leases", namespaced: true},
	{gvk: schema.GroupVersionKind{Group: "discovery.k8s.io", Version: "v1", Kind: "EndpointSlice"}, plural: "endpointslices", namespaced: true},
}

// registry maps group/version and group/kind to served resources.
type registry struct {
	byGV     map[schema.GroupVersion][]*apiResource
	byGVK    map[schema.GroupVersionKind]*apiResource
	byPlural map[schema.GroupVersionResource]*apiResource
	byGK     map[schema.GroupKind]*apiResource
}

func newRegistry() *registry {
	r := &registry{
		byGV:     map[schema.GroupVersion][]*apiResource{},
		byGVK:    map[schema.GroupVersionKind]*apiResource{},
		byPlural: map[schema.GroupVersionResource]*apiResource{},
		byGK:     map[schema.GroupKind]*apiResource{},
	}
	for i := range builtins {
		b := builtins[i]
		r.add(&b)
	}
	return r
}

func (r *registry) add(res *apiResource) {
	if _, ok := r.byGVK[res.gvk]; ok {
		return
	}
	gv := res.gvk.GroupVersion()
	r.byGV[gv] = append(r.byGV[gv], res)
	r.byGVK[res.gvk] = res
	r.byPlural[gv.WithResource(res.plural)] = res
	if _, ok := r.byGK[res.gvk.GroupKind()]; !ok {
		r.byGK[res.gvk.GroupKind()] = res
	}
}

// addCRD registers the kinds a CustomResourceDefinition defines (served only while it exists).
func (r *registry) addCRD(crd *unstructured.Unstructured) {
	group, _, _ := unstructured.NestedString(crd.Object, "spec", "group")
	kind, _, _ := unstructured.NestedString(crd.Object, "spec", "names", "kind")
	plural, _, _ := unstructured.NestedString(crd.Object, "spec", "names", "plural")
	scope, _, _ := unstructured.NestedString(crd.Object, "spec", "scope")
	if group == "" || kind == "" {
		return
	}
	if plural == "" {
		plural = pluralize(kind)
	}
	versions, _, _ := unstructured.NestedSlice(crd.Object, "spec", "versions")
	var names []string
	for _, v := range versions {
		if m, ok := v.(map[string]any); ok {
			if n, ok := m["name"].(string); ok && n != "" {
				names = append(names, n)
			}
		}
	}
	if v, ok, _ := unstructured.NestedString(crd.Object, "spec", "version"); ok && v != "" {
		names = append(names, v)
	}
	for _, v := range names {
		r.add(&apiResource{
			gvk:        schema.GroupVersionKind{Group: group, Version: v, Kind: kind},
			plural:     plural,
			namespaced: scope != "Cluster",
			fromCRD:    crd.GetName(),
		})
	}
}

// addGuess registers a kind nobody defines (a CR whose CRD is assumed installed): namespaced,
// with a lower-case plural.
func (r *registry) addGuess(gvk schema.GroupVersionKind, namespaced bool) {
	if gvk.Kind == "" || gvk.Version == "" {
		return
	}
	if _, ok := r.byGVK[gvk]; ok {
		return
	}
	if existing, ok := r.byGK[gvk.GroupKind()]; ok {
		r.add(&apiResource{gvk: gvk, plural: existing.plural, namespaced: existing.namespaced, fromCRD: existing.fromCRD})
		return
	}
	r.add(&apiResource{gvk: gvk, plural: pluralize(gvk.Kind), namespaced: namespaced})
}

func pluralize(kind string) string {
	k := strings.ToLower(kind)
	switch {
	case strings.HasSuffix(k, "s"), strings.HasSuffix(k, "x"), strings.HasSuffix(k, "ch"), strings.HasSuffix(k, "sh"):
		return k + "es"
	case strings.HasSuffix(k, "y") && len(k) > 1 && !strings.ContainsRune("aeiou", rune(k[len(k)-2])):
		return k[:len(k)-1] + "ies"
	}
	return k + "s"
}

var verbs = metav1.Verbs{"create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"}

// resourceList renders the discovery document of one group/version; served reports whether a
// CRD-defined kind is currently served.
func (r *registry) resourceList(gv schema.GroupVersion, served func(*apiResource) bool) (*metav1.APIResourceList, bool) {
	list := &metav1.APIResourceList{TypeMeta: metav1.TypeMeta{Kind: "APIResourceList", APIVersion: "v1"}, GroupVersion: gv.String()}
	for _, res := range r.byGV[gv] {
		if !served(res) {
			continue
		}
		list.APIResources = append(list.APIResources, metav1.APIResource{
			Name: res.plural, Namespaced: res.namespaced, Kind: res.gvk.Kind, Verbs: verbs,
		})
	}
	sort.Slice(list.APIResources, func(i, j int) bool { return list.APIResources[i].Name < list.APIResources[j].Name })
	return list, len(list.APIResources) > 0
}
