# METADATA
# title: Unknown hook type
# description: |-
#   argocd.argoproj.io/hook accepts PreSync, Sync, PostSync, SyncFail, Skip, PostDelete and
#   PreDelete, case-sensitively. Any other value is dropped without an error, and an object
#   whose hook annotation has no valid type (or an empty value) is still a hook: it is never
#   applied.
# related_resources:
# - ref: https://argo-cd.readthedocs.io/en/stable/user-guide/resource_hooks/
# custom:
#   id: hook-unknown-type
#   severity: error
#   hint: 'Spell the hook type exactly, e.g. argocd.argoproj.io/hook: PreSync.'
package wavecheck.rules.hook_unknown_type

import data.wavecheck.lib

known := {t | some t in lib.argocd.hookTypes}

findings contains f if {
	some o in lib.hook_annotated
	some v in o.argocd.argocdHookValues
	not v in known
	f := {"index": o.index, "msg": sprintf("unknown hook type %q%s: %s", [v, suggestion(v), effect(o)])}
}

suggestion(v) := sprintf(" (did you mean %q?)", [k]) if {
	some k in known
	lower(k) == lower(trim_space(v))
} else := ""

effect(o) := "the hook is never applied" if {
	count(o.argocd.syncPhases) == 0
	count(o.argocd.deleteHookTypes) == 0
} else := "the value is ignored"

findings contains f if {
	some o in lib.hook_annotated
	some key in ["argocd.argoproj.io/hook", "helm.sh/hook"]
	value := o.argocd.annotations[key]
	count(lib.csv(value)) == 0
	o.argocd.hook
	count(o.argocd.syncPhases) == 0
	f := {"index": o.index, "msg": sprintf("empty %s annotation makes the object a hook with no type: it is never applied", [key])}
}
