# METADATA
# title: Job hook with ttlSecondsAfterFinished before Argo CD 3.0
# description: |-
#   Before Argo CD 3.0 hooks carry no finalizer: a Job hook with spec.ttlSecondsAfterFinished
#   can be deleted by Kubernetes before Argo CD records that it finished, and the sync then
#   waits or fails ("hook is missing"). Argo CD 3.0 adds the argocd.argoproj.io/hook-finalizer
#   so the Job stays until its result is read.
# related_resources:
# - ref: https://github.com/argoproj/argo-cd/issues/18884
# custom:
#   id: hook-ttl-after-finished
#   severity: warning
#   hint: Remove ttlSecondsAfterFinished and use argocd.argoproj.io/hook-delete-policy HookSucceeded instead (or upgrade to Argo CD 3.0).
package wavecheck.rules.hook_ttl_after_finished

import data.wavecheck.lib

findings contains f if {
	some o in lib.hooks
	o.object.kind == "Job"
	o.argocd.hook
	ttl := o.object.spec.ttlSecondsAfterFinished
	ttl != null
	gate := lib.argocd.hookFinalizerSince
	not lib.supports(gate)
	f := {"index": o.index, "msg": sprintf("Job hook sets ttlSecondsAfterFinished %v: before Argo CD %s (target %s) the Job can vanish before its result is read", [ttl, gate.string, lib.version.string])}
}
