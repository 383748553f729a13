# METADATA
# title: Skip combined with other hook types
# description: |-
#   Argo CD skips an object only when Skip is its only hook type. "Skip,PreSync" is not a
#   skip: the object runs as a PreSync hook (and gets hook delete policies).
# related_resources:
# - ref: https://github.com/argoproj/argo-cd/issues/3223
# custom:
#   id: hook-skip-combined
#   severity: warning
#   hint: 'Use argocd.argoproj.io/hook: Skip alone to skip the object, or remove Skip.'
package wavecheck.rules.hook_skip_combined

import data.wavecheck.lib

findings contains f if {
	some o in lib.hooks
	"Skip" in o.argocd.argocdHookValues
	not o.argocd.skip
	o.argocd.hook
	others := [t | some t in o.argocd.hookTypes; t != "Skip"]
	count(others) > 0
	f := {"index": o.index, "msg": sprintf("hook %q combines Skip with %s: Argo CD does not skip it and runs it as a hook", [o.argocd.annotations["argocd.argoproj.io/hook"], concat(",", others)])}
}
