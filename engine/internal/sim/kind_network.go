package sim

import "k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

// Services and Ingresses (gitops-engine health_service.go, health_ingress.go): a LoadBalancer
// Service and an Ingress progress until status.loadBalancer.ingress is set; other Services
// are healthy at once.
func init() {
	register(gk("", "Service"), kind{duration: seconds(2),
		progressing: func(_ *Cluster, o *unstructured.Unstructured) bool {
			if t, _, _ := unstructured.NestedString(o.Object, "spec", "type"); t != "LoadBalancer" {
				return false
			}
			setStatus(o, map[string]any{"loadBalancer": map[string]any{}})
			return true
		},
		done: addressAssigned,
	})
	ingress := kind{duration: seconds(2), done: addressAssigned,
		progressing: func(_ *Cluster, o *unstructured.Unstructured) bool {
			setStatus(o, map[string]any{"loadBalancer": map[string]any{}})
			return true
		},
	}
	register(gk("networking.k8s.io", "Ingress"), ingress)
	register(gk("extensions", "Ingress"), ingress)
}

func addressAssigned(_ *Cluster, o *unstructured.Unstructured, _ bool) {
	setStatus(o, map[string]any{"loadBalancer": map[string]any{"ingress": []any{map[string]any{"ip": "10.0.0.1"}}}})
}
