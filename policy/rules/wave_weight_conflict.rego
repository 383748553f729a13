# METADATA
# title: Sync wave and Helm hook weight disagree
# description: |-
#   When an object has a valid argocd.argoproj.io/sync-wave, Argo CD ignores its
#   helm.sh/hook-weight. A chart that orders hooks with weights and also sets a different
#   sync-wave runs them in another order under Argo CD than under helm install.
# related_resources:
# - ref: https://argo-cd.readthedocs.io/en/stable/user-guide/helm/#helm-hooks
# custom:
#   id: wave-weight-conflict
#   severity: warning
#   hint: Make sync-wave and hook-weight equal, or keep only one of them.
package wavecheck.rules.wave_weight_conflict

import data.wavecheck.lib

findings contains f if {
	some o in lib.hook_weighted
	o.argocd.waveSource == "sync-wave"
	w := o.argocd.annotations["helm.sh/hook-weight"]
	not o.argocd.hookWeightInvalid
	to_number(w) != o.argocd.wave
	f := {"index": o.index, "msg": sprintf("sync-wave %d overrides helm.sh/hook-weight %q: Argo CD orders by the wave", [o.argocd.wave, w])}
}
