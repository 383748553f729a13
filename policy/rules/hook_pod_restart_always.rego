# METADATA
# title: Pod hook with restartPolicy Always
# description: |-
#   A Pod's restartPolicy defaults to Always. A hook Pod that restarts its container after it
#   exits never finishes: Argo CD counts it as done as soon as it is Ready (before the work is
#   done), or waits forever when it crash-loops, and the script runs again and again.
# related_resources:
# - ref: https://github.com/argoproj/argo-cd/issues/9018
# custom:
#   id: hook-pod-restart-always
#   severity: warning
#   hint: 'Set spec.restartPolicy: Never (or OnFailure) on hook Pods, or use a Job.'
package wavecheck.rules.hook_pod_restart_always

import data.wavecheck.lib

findings contains f if {
	some o in lib.hooks
	o.object.kind == "Pod"
	o.argocd.hook
	p := object.get(o.object, ["spec", "restartPolicy"], "Always")
	p == "Always"
	not o.argocd.annotations["argocd.argoproj.io/ignore-restart-policy"] == "true"
	f := {"index": o.index, "msg": sprintf("hook Pod has restartPolicy %s%s: it restarts after exiting and never completes", [p, default_note(o)])}
}

default_note(o) := " (the default)" if not o.object.spec.restartPolicy

else := ""
