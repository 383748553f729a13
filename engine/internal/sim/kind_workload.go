package sim

import "k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

// Workloads (gitops-engine health_deployment.go, health_statefulset.go, health_daemonset.go,
// health_replicaset.go): progressing until the controller observed the generation and every
// replica is updated and available.
func init() {
	observed := func(_ *Cluster, o *unstructured.Unstructured) bool {
		setStatus(o, map[string]any{"observedGeneration": int64(0)})
		return true
	}
	register(gk("apps", "Deployment"), kind{duration: seconds(5), failsByHealth: true, progressing: observed, done: deploymentDone})
	register(gk("apps", "StatefulSet"), kind{duration: seconds(5), progressing: observed, done: statefulSetDone})
	register(gk("apps", "DaemonSet"), kind{duration: seconds(5), progressing: observed, done: daemonSetDone})
	register(gk("apps", "ReplicaSet"), kind{duration: seconds(5), failsByHealth: true, progressing: observed, done: replicaSetDone})
}

func deploymentDone(c *Cluster, o *unstructured.Unstructured, fail bool) {
	r, gen := replicas(o), o.GetGeneration()
	if fail {
		setStatus(o, map[string]any{"observedGeneration": gen, "replicas": r, "updatedReplicas": r, "unavailableReplicas": r,
			"conditions": []any{
				c.condition("Available", "False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability."),
				c.condition("Progressing", "False", "ProgressDeadlineExceeded", "ReplicaSet has timed out progressing (--fail)."),
			}})
		return
	}
	setStatus(o, map[string]any{"observedGeneration": gen, "replicas": r, "updatedReplicas": r, "readyReplicas": r, "availableReplicas": r,
		"conditions": []any{
			c.condition("Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability."),
			c.condition("Progressing", "True", "NewReplicaSetAvailable", "ReplicaSet has successfully progressed."),
		}})
}

func statefulSetDone(_ *Cluster, o *unstructured.Unstructured, _ bool) {
	r, rev := replicas(o), o.GetName()+"-1"
	setStatus(o, map[string]any{"observedGeneration": o.GetGeneration(), "replicas": r, "readyReplicas": r, "currentReplicas": r, "updatedReplicas": r, "availableReplicas": r,
		"currentRevision": rev, "updateRevision": rev})
}

func daemonSetDone(_ *Cluster, o *unstructured.Unstructured, _ bool) {
	setStatus(o, map[string]any{"observedGeneration": o.GetGeneration(), "desiredNumberScheduled": int64(1), "currentNumberScheduled": int64(1),
		"updatedNumberScheduled": int64(1), "numberAvailable": int64(1), "numberReady": int64(1)})
}

func replicaSetDone(c *Cluster, o *unstructured.Unstructured, fail bool) {
	r, gen := replicas(o), o.GetGeneration()
	if fail {
		setStatus(o, map[string]any{"observedGeneration": gen, "replicas": int64(0),
			"conditions": []any{c.condition("ReplicaFailure", "True", "FailedCreate", "pods failed to start (--fail)")}})
		return
	}
	setStatus(o, map[string]any{"observedGeneration": gen, "replicas": r, "fullyLabeledReplicas": r, "readyReplicas": r, "availableReplicas": r})
}
