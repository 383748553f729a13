# METADATA
# title: Hook type not supported by the target Argo CD version
# description: |-
#   PostDelete hooks (argocd.argoproj.io/hook: PostDelete or helm.sh/hook: post-delete) run
#   from Argo CD 2.10, PreDelete hooks (PreDelete or pre-delete) from 3.3. On an older Argo CD
#   the value is unknown: the object is a hook with no phase and never runs.
# related_resources:
# - ref: https://argo-cd.readthedocs.io/en/stable/user-guide/resource_hooks/
# custom:
#   id: hook-version-unsupported
#   severity: warning
#   hint: Upgrade Argo CD, or set --argocd-version to the version you run; otherwise run the cleanup another way.
package wavecheck.rules.hook_version_unsupported

import data.wavecheck.lib

since := lib.argocd.hookTypeSince

findings contains f if {
	some o in lib.hook_annotated
	some v in array.concat(o.argocd.argocdHookValues, o.argocd.helmHookValues)
	s := since[v]
	not lib.supports(s)
	f := {"index": o.index, "msg": sprintf("hook type %q needs Argo CD >= %d.%d (target %s): the hook never runs", [v, s.major, s.minor, lib.version.string])}
}
