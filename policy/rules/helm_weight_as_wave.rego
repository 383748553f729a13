# METADATA
# title: Helm hook weight used as a sync wave
# description: |-
#   Argo CD reads helm.sh/hook-weight on every object, hook or not, as the sync wave when
#   argocd.argoproj.io/sync-wave is missing or invalid. On a resource that is not a hook, a
#   weight that Helm ignores changes the order Argo CD applies it in.
# related_resources:
# - ref: https://argo-cd.readthedocs.io/en/stable/user-guide/helm/#helm-hooks
# custom:
#   id: helm-weight-as-wave
#   severity: info
#   hint: Set argocd.argoproj.io/sync-wave explicitly, or remove the weight from non-hook objects.
package wavecheck.rules.helm_weight_as_wave

import data.wavecheck.lib

findings contains f if {
	some o in lib.hook_weighted
	not o.argocd.hook
	not o.argocd.skip
	o.argocd.waveSource == "hook-weight"
	f := {"index": o.index, "msg": sprintf("helm.sh/hook-weight %q on a non-hook puts it in sync wave %d", [o.argocd.annotations["helm.sh/hook-weight"], o.argocd.wave])}
}
