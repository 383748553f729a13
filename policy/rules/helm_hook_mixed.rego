# METADATA
# title: Argo CD and Helm hook on one object
# description: |-
#   When an object has both argocd.argoproj.io/hook and helm.sh/hook, Argo CD ignores every
#   Helm hook type as soon as one Argo CD hook type is valid (and uses the Helm ones only when
#   none is). The two annotations easily disagree (pre-install next to PostSync) and the chart
#   behaves differently under helm install and Argo CD.
# related_resources:
# - ref: https://argo-cd.readthedocs.io/en/stable/user-guide/helm/#helm-hooks
# custom:
#   id: helm-hook-mixed
#   severity: warning
#   hint: Keep one hook annotation, or make both say the same phase on purpose.
package wavecheck.rules.helm_hook_mixed

import data.wavecheck.lib

findings contains f if {
	some o in lib.hook_annotated
	a := o.argocd.annotations["argocd.argoproj.io/hook"]
	h := o.argocd.annotations["helm.sh/hook"]
	f := {"index": o.index, "msg": sprintf("argocd.argoproj.io/hook %q and helm.sh/hook %q: %s", [a, h, effect(o)])}
}

effect(o) := "Argo CD uses the Argo CD hook and ignores the Helm hook" if {
	some t in o.argocd.argocdHookValues
	t in lib.argocd.syncHookTypes
} else := "no Argo CD hook type is valid, so Argo CD uses the Helm hook"
