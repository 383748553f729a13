package sim

import "k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

// Pods (gitops-engine health_pod.go): restartPolicy Never/OnFailure pods progress until they
// end; Always pods are done once Ready, and Degraded when a container waits in an error.
func init() {
	register(gk("", "Pod"), kind{duration: seconds(10), failsByHealth: true,
		progressing: func(_ *Cluster, o *unstructured.Unstructured) bool {
			// API server defaulting: restartPolicy Always
			if p, _, _ := unstructured.NestedString(o.Object, "spec", "restartPolicy"); p == "" {
				_ = unstructured.SetNestedField(o.Object, "Always", "spec", "restartPolicy")
			}
			setStatus(o, map[string]any{"phase": "Pending"})
			return true
		},
		done: podDone,
	})
}

func firstContainer(o *unstructured.Unstructured) string {
	if cs, _, _ := unstructured.NestedSlice(o.Object, "spec", "containers"); len(cs) > 0 {
		if m, ok := cs[0].(map[string]any); ok {
			if n, ok := m["name"].(string); ok {
				return n
			}
		}
	}
	return "main"
}

func podDone(c *Cluster, o *unstructured.Unstructured, fail bool) {
	policy, _, _ := unstructured.NestedString(o.Object, "spec", "restartPolicy")
	name, now := firstContainer(o), c.stamp()
	always := policy == "" || policy == "Always"
	switch {
	case fail && always:
		setStatus(o, map[string]any{"phase": "Running", "conditions": []any{c.condition("Ready", "False", "ContainersNotReady", "")},
			"containerStatuses": []any{map[string]any{"name": name, "ready": false, "restartCount": int64(3),
				"state":     map[string]any{"waiting": map[string]any{"reason": "CrashLoopBackOff", "message": "back-off restarting failed container (--fail)"}},
				"lastState": map[string]any{"terminated": map[string]any{"exitCode": int64(1), "reason": "Error"}},
			}}})
	case fail:
		setStatus(o, map[string]any{"phase": "Failed",
			"containerStatuses": []any{map[string]any{"name": name, "ready": false, "restartCount": int64(0),
				"state": map[string]any{"terminated": map[string]any{"exitCode": int64(1), "reason": "Error"}}}}})
	case always:
		setStatus(o, map[string]any{"phase": "Running", "conditions": []any{c.condition("Ready", "True", "", "")},
			"containerStatuses": []any{map[string]any{"name": name, "ready": true, "restartCount": int64(0),
				"state": map[string]any{"running": map[string]any{"startedAt": now}}}}})
	default:
		setStatus(o, map[string]any{"phase": "Succeeded",
			"containerStatuses": []any{map[string]any{"name": name, "ready": false, "restartCount": int64(0),
				"state": map[string]any{"terminated": map[string]any{"exitCode": int64(0), "reason": "Completed"}}}}})
	}
}
