package sim

import "k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

// Jobs (gitops-engine health_job.go): progressing until a Complete or Failed condition.
func init() {
	register(gk("batch", "Job"), kind{duration: seconds(10), failsByHealth: true,
		progressing: func(c *Cluster, o *unstructured.Unstructured) bool {
			setStatus(o, map[string]any{"active": int64(1), "startTime": c.stamp()})
			return true
		},
		done: jobDone,
	})
}

func jobDone(c *Cluster, o *unstructured.Unstructured, fail bool) {
	st, _, _ := unstructured.NestedString(o.Object, "status", "startTime")
	if fail {
		setStatus(o, map[string]any{"startTime": st, "failed": int64(1),
			"conditions": []any{
				c.condition("FailureTarget", "True", "BackoffLimitExceeded", "Job has reached the specified backoff limit"),
				c.condition("Failed", "True", "BackoffLimitExceeded", "Job has reached the specified backoff limit"),
			}})
		return
	}
	setStatus(o, map[string]any{"startTime": st, "completionTime": c.stamp(), "succeeded": int64(1),
		"conditions": []any{
			c.condition("SuccessCriteriaMet", "True", "CompletionsReached", "Reached expected number of succeeded pods"),
			c.condition("Complete", "True", "CompletionsReached", "Reached expected number of succeeded pods"),
		}})
}
