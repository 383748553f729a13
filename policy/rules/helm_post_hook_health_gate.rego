# METADATA
# title: Helm post-install Job waits for the workloads
# description: |-
#   Argo CD maps Helm's post-install and post-upgrade hooks to PostSync (gitops-engine
#   hook/helm: NewHookType), and runs PostSync hooks only after every Sync-phase resource is
#   healthy. Under helm install the Job runs once the resources are created; under Argo CD it
#   waits for the Deployments, StatefulSets and Jobs of the app to become healthy first. A
#   workload that waits for the Job (a database migration its pods need, a bootstrap its
#   readiness probe checks) never becomes healthy, the Job never starts, and the sync hangs.
# related_resources:
# - ref: https://argo-cd.readthedocs.io/en/stable/user-guide/helm/#helm-hooks
# - ref: https://argo-cd.readthedocs.io/en/stable/user-guide/resource_hooks/
# custom:
#   id: helm-post-hook-health-gate
#   severity: warning
#   hint: "If the workloads need this Job, make it run before them (argocd.argoproj.io/hook: PreSync, or helm.sh/hook: pre-install,pre-upgrade); if nothing waits for it, keep it and ignore this finding."
package wavecheck.rules.helm_post_hook_health_gate

import data.wavecheck.lib

# post_hooks are the Helm hook types gitops-engine maps to PostSync.
post_hooks := {h | some h, t in lib.argocd.helmHookTypes; t == "PostSync"}

findings contains f if {
	some o in lib.hooks
	o.object.kind == "Job"
	o.group == "batch"
	count(o.argocd.argocdHookValues) == 0
	"PostSync" in o.argocd.syncPhases
	values := [v | some v in o.argocd.helmHookValues; v in post_hooks]
	count(values) > 0
	names := sort([w.ref | some w in lib.workloads])
	count(names) > 0
	f := {"index": o.index, "msg": sprintf("Helm hook %s makes this Job a PostSync hook: Argo CD starts it only after %s %s healthy; if any of them waits for the Job, the sync hangs", [concat(",", values), listing(names), verb(names)])}
}

listing(names) := concat(", ", names) if {
	count(names) <= 3
} else := sprintf("%s and %d more", [concat(", ", array.slice(names, 0, 3)), count(names) - 3])

verb(names) := "is" if count(names) == 1

else := "are"
