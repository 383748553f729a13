# METADATA
# title: Job hook without time or retry bounds
# description: |-
#   Argo CD waits for a hook Job to complete before the sync moves on. A Job without
#   spec.activeDeadlineSeconds can hang the sync forever (an image that never pulls, a stuck
#   migration), and without spec.backoffLimit it retries 6 times with exponential back-off
#   before failing, holding the sync for many minutes.
# related_resources:
# - ref: https://kubernetes.io/docs/concepts/workloads/controllers/job/#job-termination-and-cleanup
# custom:
#   id: hook-job-unbounded
#   severity: warning
#   hint: Set spec.activeDeadlineSeconds and spec.backoffLimit on hook Jobs.
package wavecheck.rules.hook_job_unbounded

import data.wavecheck.lib

findings contains f if {
	some o in lib.hooks
	o.object.kind == "Job"
	o.argocd.hook
	missing := [k | some k in ["activeDeadlineSeconds", "backoffLimit"]; not has_field(o.object, k)]
	count(missing) > 0
	f := {"index": o.index, "msg": sprintf("hook Job has no spec.%s: a stuck Job holds the sync", [concat(" or spec.", missing)])}
}

has_field(obj, k) if obj.spec[k] != null
