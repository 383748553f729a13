package sim

import (
	"regexp"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// failsByHealth reports whether --fail on this kind is a failed or degraded health rather than
// a rejected apply (StatefulSet and DaemonSet health never report Degraded in gitops-engine).
func failsByHealth(kind string) bool {
	switch kind {
	case "Job", "Pod", "Workflow", "Deployment", "ReplicaSet", "PersistentVolumeClaim":
		return true
	}
	return false
}

// initStatus gives a freshly created (or re-rolled) object its progressing status and schedules
// its final state. Kinds without a health check in gitops-engine need nothing.
func (c *Cluster) initStatus(e *entry) {
	o := e.obj
	e.pending = true
	e.readyAt = c.now + c.duration(o.GetKind())
	group := o.GroupVersionKind().Group
	switch {
	case group == "apps" && o.GetKind() == "Deployment",
		group == "apps" && o.GetKind() == "StatefulSet",
		group == "apps" && o.GetKind() == "DaemonSet",
		group == "apps" && o.GetKind() == "ReplicaSet":
		setStatus(o, map[string]any{"observedGeneration": int64(0)})
	case group == "batch" && o.GetKind() == "Job":
		setStatus(o, map[string]any{"active": int64(1), "startTime": c.stamp()})
	case group == "" && o.GetKind() == "Pod":
		// API server defaulting: restartPolicy Always
		if p, _, _ := unstructured.NestedString(o.Object, "spec", "restartPolicy"); p == "" {
			_ = unstructured.SetNestedField(o.Object, "Always", "spec", "restartPolicy")
		}
		setStatus(o, map[string]any{"phase": "Pending"})
	case group == "" && o.GetKind() == "PersistentVolumeClaim":
		setStatus(o, map[string]any{"phase": "Pending"})
	case group == "" && o.GetKind() == "Service":
		if t, _, _ := unstructured.NestedString(o.Object, "spec", "type"); t != "LoadBalancer" {
			e.pending = false
			return
		}
		setStatus(o, map[string]any{"loadBalancer": map[string]any{}})
	case o.GetKind() == "Ingress" && (group == "networking.k8s.io" || group == "extensions"):
		setStatus(o, map[string]any{"loadBalancer": map[string]any{}})
	case group == "argoproj.io" && o.GetKind() == "Workflow":
		setStatus(o, map[string]any{"phase": "Running"})
	case group == "apiregistration.k8s.io" && o.GetKind() == "APIService":
		setStatus(o, map[string]any{"conditions": []any{}})
	case group == "autoscaling" && o.GetKind() == "HorizontalPodAutoscaler":
		setStatus(o, map[string]any{})
	case isCRD(o):
		// gitops-engine polls for Established in real time: establish at once.
		setStatus(o, map[string]any{"conditions": []any{
			map[string]any{"type": "NamesAccepted", "status": "True", "reason": "NoConflicts"},
			map[string]any{"type": "Established", "status": "True", "reason": "InitialNamesAccepted"},
		}})
		e.pending = false
	default:
		e.pending = false
	}
	if e.pending && c.now >= e.readyAt && e.fault != FaultHang {
		c.finishStatus(e)
	}
}

func (c *Cluster) stamp() string {
	return c.start.Add(c.now).UTC().Format("2006-01-02T15:04:05Z")
}

func setStatus(o *unstructured.Unstructured, st map[string]any) {
	o.Object["status"] = st
}

func replicas(o *unstructured.Unstructured) int64 {
	if r, ok, _ := unstructured.NestedInt64(o.Object, "spec", "replicas"); ok {
		return r
	}
	return 1
}

// finishStatus writes the final status of an object: healthy, or failed with FaultFail. The
// stored object is replaced, never modified in place (it may be shared with readers).
func (c *Cluster) finishStatus(e *entry) {
	e.pending = false
	o := e.obj.DeepCopy()
	fail := e.fault == FaultFail
	gen := o.GetGeneration()
	now := c.stamp()
	group := o.GroupVersionKind().Group
	kind := o.GetKind()
	cond := func(t, s, reason, msg string) map[string]any {
		return map[string]any{"type": t, "status": s, "reason": reason, "message": msg, "lastTransitionTime": now}
	}
	switch {
	case group == "apps" && kind == "Deployment":
		r := replicas(o)
		if fail {
			setStatus(o, map[string]any{"observedGeneration": gen, "replicas": r, "updatedReplicas": r, "unavailableReplicas": r,
				"conditions": []any{
					cond("Available", "False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability."),
					cond("Progressing", "False", "ProgressDeadlineExceeded", "ReplicaSet has timed out progressing (--fail)."),
				}})
		} else {
			setStatus(o, map[string]any{"observedGeneration": gen, "replicas": r, "updatedReplicas": r, "readyReplicas": r, "availableReplicas": r,
				"conditions": []any{
					cond("Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability."),
					cond("Progressing", "True", "NewReplicaSetAvailable", "ReplicaSet has successfully progressed."),
				}})
		}
	case group == "apps" && kind == "StatefulSet":
		r := replicas(o)
		rev := o.GetName() + "-1"
		setStatus(o, map[string]any{"observedGeneration": gen, "replicas": r, "readyReplicas": r, "currentReplicas": r, "updatedReplicas": r, "availableReplicas": r,
			"currentRevision": rev, "updateRevision": rev})
	case group == "apps" && kind == "DaemonSet":
		setStatus(o, map[string]any{"observedGeneration": gen, "desiredNumberScheduled": int64(1), "currentNumberScheduled": int64(1),
			"updatedNumberScheduled": int64(1), "numberAvailable": int64(1), "numberReady": int64(1)})
	case group == "apps" && kind == "ReplicaSet":
		r := replicas(o)
		if fail {
			setStatus(o, map[string]any{"observedGeneration": gen, "replicas": int64(0),
				"conditions": []any{cond("ReplicaFailure", "True", "FailedCreate", "pods failed to start (--fail)")}})
		} else {
			setStatus(o, map[string]any{"observedGeneration": gen, "replicas": r, "fullyLabeledReplicas": r, "readyReplicas": r, "availableReplicas": r})
		}
	case group == "batch" && kind == "Job":
		st, _, _ := unstructured.NestedString(o.Object, "status", "startTime")
		if fail {
			setStatus(o, map[string]any{"startTime": st, "failed": int64(1),
				"conditions": []any{
					cond("FailureTarget", "True", "BackoffLimitExceeded", "Job has reached the specified backoff limit"),
					cond("Failed", "True", "BackoffLimitExceeded", "Job has reached the specified backoff limit"),
				}})
		} else {
			setStatus(o, map[string]any{"startTime": st, "completionTime": now, "succeeded": int64(1),
				"conditions": []any{
					cond("SuccessCriteriaMet", "True", "CompletionsReached", "Reached expected number of succeeded pods"),
					cond("Complete", "True", "CompletionsReached", "Reached expected number of succeeded pods"),
				}})
		}
	case group == "" && kind == "Pod":
		policy, _, _ := unstructured.NestedString(o.Object, "spec", "restartPolicy")
		name := "main"
		if cs, _, _ := unstructured.NestedSlice(o.Object, "spec", "containers"); len(cs) > 0 {
			if m, ok := cs[0].(map[string]any); ok {
				if n, ok := m["name"].(string); ok {
					name = n
				}
			}
		}
		switch {
		case fail && (policy == "" || policy == "Always"):
			setStatus(o, map[string]any{"phase": "Running", "conditions": []any{cond("Ready", "False", "ContainersNotReady", "")},
				"containerStatuses": []any{map[string]any{"name": name, "ready": false, "restartCount": int64(3),
					"state":     map[string]any{"waiting": map[string]any{"reason": "CrashLoopBackOff", "message": "back-off restarting failed container (--fail)"}},
					"lastState": map[string]any{"terminated": map[string]any{"exitCode": int64(1), "reason": "Error"}},
				}}})
		case fail:
			setStatus(o, map[string]any{"phase": "Failed",
				"containerStatuses": []any{map[string]any{"name": name, "ready": false, "restartCount": int64(0),
					"state": map[string]any{"terminated": map[string]any{"exitCode": int64(1), "reason": "Error"}}}}})
		case policy == "" || policy == "Always":
			setStatus(o, map[string]any{"phase": "Running", "conditions": []any{cond("Ready", "True", "", "")},
				"containerStatuses": []any{map[string]any{"name": name, "ready": true, "restartCount": int64(0),
					"state": map[string]any{"running": map[string]any{"startedAt": now}}}}})
		default:
			setStatus(o, map[string]any{"phase": "Succeeded",
				"containerStatuses": []any{map[string]any{"name": name, "ready": false, "restartCount": int64(0),
					"state": map[string]any{"terminated": map[string]any{"exitCode": int64(0), "reason": "Completed"}}}}})
		}
	case group == "" && kind == "PersistentVolumeClaim":
		if fail {
			setStatus(o, map[string]any{"phase": "Lost"})
		} else {
			setStatus(o, map[string]any{"phase": "Bound"})
		}
	case kind == "Service" || kind == "Ingress":
		setStatus(o, map[string]any{"loadBalancer": map[string]any{"ingress": []any{map[string]any{"ip": "10.0.0.1"}}}})
	case group == "argoproj.io" && kind == "Workflow":
		if fail {
			setStatus(o, map[string]any{"phase": "Failed", "message": "simulated failure (--fail)"})
		} else {
			setStatus(o, map[string]any{"phase": "Succeeded"})
		}
	case group == "apiregistration.k8s.io" && kind == "APIService":
		setStatus(o, map[string]any{"conditions": []any{cond("Available", "True", "Passed", "all checks passed")}})
	case group == "autoscaling" && kind == "HorizontalPodAutoscaler":
		setStatus(o, map[string]any{"currentReplicas": int64(1), "desiredReplicas": int64(1), "conditions": []any{
			cond("AbleToScale", "True", "ReadyForNewScale", "recommended size matches current size"),
			cond("ScalingActive", "True", "ValidMetricFound", "the HPA was able to successfully calculate a replica count"),
		}})
	}
	o.SetResourceVersion(c.nextRV())
	e.obj = o
}

// generatedSuffix matches what gitops-engine appends to a generateName hook
// ("<rev[0:7]>-<phase>-<unix>") and what the API server appends (5 characters).
var generatedSuffix = regexp.MustCompile(`^([0-9a-z]{0,7}-(presync|sync|postsync|syncfail)-[0-9]+|[0-9a-z]{5})$`)

// FaultMatcher returns a Fault function for --fail and --hang references ("Kind/name",
// case-insensitive kind; a generateName prefix also matches the names generated from it).
func FaultMatcher(fail, hang []string) func(kind, name string) Fault {
	match := func(refs []string, kind, name string) bool {
		for _, r := range refs {
			k, n, ok := strings.Cut(r, "/")
			if !ok || !strings.EqualFold(k, kind) {
				continue
			}
			if n == name || (strings.HasPrefix(name, n) && generatedSuffix.MatchString(name[len(n):])) {
				return true
			}
		}
		return false
	}
	return func(kind, name string) Fault {
		switch {
		case match(hang, kind, name):
			return FaultHang
		case match(fail, kind, name):
			return FaultFail
		}
		return FaultNone
	}
}
