# METADATA
# title: Unknown hook delete policy
# description: |-
#   argocd.argoproj.io/hook-delete-policy accepts HookSucceeded, HookFailed and
#   BeforeHookCreation; helm.sh/hook-delete-policy accepts hook-succeeded, hook-failed and
#   before-hook-creation. Argo CD drops anything else silently (including the Helm spelling
#   in the Argo CD annotation), so the hook is not deleted when you expect.
# related_resources:
# - ref: https://argo-cd.readthedocs.io/en/stable/user-guide/resource_hooks/#hook-deletion-policies
# custom:
#   id: hook-delete-policy-unknown
#   severity: error
#   hint: 'Use HookSucceeded, HookFailed or BeforeHookCreation in argocd.argoproj.io/hook-delete-policy.'
package wavecheck.rules.hook_delete_policy_unknown

import data.wavecheck.lib

argocd_policies := {p | some p in lib.argocd.deletePolicies}

helm_to_argocd := lib.argocd.helmDeletePolicies

findings contains f if {
	some o in lib.delete_policy_annotated
	some v in lib.csv(o.argocd.annotations["argocd.argoproj.io/hook-delete-policy"])
	not v in argocd_policies
	f := {"index": o.index, "msg": sprintf("unknown hook-delete-policy %q%s: Argo CD ignores it", [v, argocd_hint(v)])}
}

findings contains f if {
	some o in lib.delete_policy_annotated
	some v in lib.csv(o.argocd.annotations["helm.sh/hook-delete-policy"])
	not helm_to_argocd[v]
	f := {"index": o.index, "msg": sprintf("unknown helm.sh/hook-delete-policy %q: Argo CD ignores it", [v])}
}

argocd_hint(v) := sprintf(" (Helm spelling; use %q)", [helm_to_argocd[v]]) if {
	helm_to_argocd[v]
} else := sprintf(" (did you mean %q?)", [k]) if {
	some k in argocd_policies
	lower(k) == lower(v)
} else := ""
