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

// LoadBalancer is the model of the cluster's load balancer for Services of type LoadBalancer.
type LoadBalancer string

const (
	// LoadBalancerCloud assigns an address after the Service's duration, as a cloud provider's
	// load balancer controller does (the default).
	LoadBalancerCloud LoadBalancer = "cloud"
	// LoadBalancerNone never assigns one (kind, minikube without a tunnel, bare metal without
	// MetalLB): the Service stays Progressing.
	LoadBalancerNone LoadBalancer = "none"
)

// addressBlock keeps a LoadBalancer Service without an address when the cluster has no load
// balancer (c.mu is held).
func (c *Cluster) addressBlock(o *unstructured.Unstructured) block {
	if c.opts.LoadBalancer != LoadBalancerNone || o.GroupVersionKind().GroupKind() != gk("", "Service") {
		return block{}
	}
	if t, _, _ := unstructured.NestedString(o.Object, "spec", "type"); t != "LoadBalancer" {
		return block{}
	}
	return block{kind: blockNoAddress, message: "no load balancer assigns status.loadBalancer.ingress (--load-balancer none)"}
}
