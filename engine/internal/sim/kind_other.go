package sim

import (
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// The other kinds gitops-engine checks: PersistentVolumeClaim (health_pvc.go), Argo Workflow
// (health_argo.go), APIService (health_apiservice.go), HorizontalPodAutoscaler (health_hpa.go),
// and CustomResourceDefinitions, which gitops-engine waits for until Established.
func init() {
	register(gk("", "PersistentVolumeClaim"), kind{duration: seconds(2), failsByHealth: true,
		progressing: status(map[string]any{"phase": "Pending"}),
		done: func(_ *Cluster, o *unstructured.Unstructured, fail bool) {
			phase := "Bound"
			if fail {
				phase = "Lost"
			}
			setStatus(o, map[string]any{"phase": phase})
		},
	})
	register(gk("argoproj.io", "Workflow"), kind{duration: seconds(10), failsByHealth: true,
		progressing: status(map[string]any{"phase": "Running"}),
		done: func(_ *Cluster, o *unstructured.Unstructured, fail bool) {
			if fail {
				setStatus(o, map[string]any{"phase": "Failed", "message": "simulated failure (--fail)"})
				return
			}
			setStatus(o, map[string]any{"phase": "Succeeded"})
		},
	})
	register(gk("apiregistration.k8s.io", "APIService"), kind{duration: seconds(2),
		progressing: status(map[string]any{"conditions": []any{}}),
		done: func(c *Cluster, o *unstructured.Unstructured, _ bool) {
			setStatus(o, map[string]any{"conditions": []any{c.condition("Available", "True", "Passed", "all checks passed")}})
		},
	})
	register(gk("autoscaling", "HorizontalPodAutoscaler"), kind{duration: seconds(2),
		progressing: status(map[string]any{}),
		done: func(c *Cluster, o *unstructured.Unstructured, _ bool) {
			setStatus(o, map[string]any{"currentReplicas": int64(1), "desiredReplicas": int64(1), "conditions": []any{
				c.condition("AbleToScale", "True", "ReadyForNewScale", "recommended size matches current size"),
				c.condition("ScalingActive", "True", "ValidMetricFound", "the HPA was able to successfully calculate a replica count"),
			}})
		},
	})
	register(gk("apiextensions.k8s.io", "CustomResourceDefinition"), kind{
		// gitops-engine polls for Established in real time: establish at once.
		progressing: func(_ *Cluster, o *unstructured.Unstructured) bool {
			setStatus(o, map[string]any{"conditions": []any{
				map[string]any{"type": "NamesAccepted", "status": "True", "reason": "NoConflicts"},
				map[string]any{"type": "Established", "status": "True", "reason": "InitialNamesAccepted"},
			}})
			return false
		},
	})
}

// status returns a progressing function writing st (a fresh copy each time).
func status(st map[string]any) func(*Cluster, *unstructured.Unstructured) bool {
	return func(_ *Cluster, o *unstructured.Unstructured) bool {
		setStatus(o, runtimeCopy(st))
		return true
	}
}

func runtimeCopy(m map[string]any) map[string]any {
	return (&unstructured.Unstructured{Object: m}).DeepCopy().Object
}

func seconds(n int) time.Duration { return time.Duration(n) * time.Second }
