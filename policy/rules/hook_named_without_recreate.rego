# METADATA
# title: Named hook without BeforeHookCreation
# description: |-
#   A hook with a fixed metadata.name is created again at every sync. When its explicit delete
#   policies lack BeforeHookCreation, the previous instance may still exist (a failed Job is
#   kept under HookSucceeded) and the next sync fails with "already exists" or "field is
#   immutable". Without any delete policy Argo CD defaults to BeforeHookCreation.
# related_resources:
# - ref: https://github.com/argoproj/argo-cd/issues/7430
# custom:
#   id: hook-named-without-recreate
#   severity: warning
#   hint: Add BeforeHookCreation to argocd.argoproj.io/hook-delete-policy, or use metadata.generateName.
package wavecheck.rules.hook_named_without_recreate

import data.wavecheck.lib

findings contains f if {
	some o in lib.hooks
	o.argocd.hook
	object.get(o.object.metadata, "name", "") != ""
	not o.argocd.deletePoliciesDefaulted
	not "BeforeHookCreation" in o.argocd.deletePolicies
	f := {"index": o.index, "msg": sprintf("named hook %s has delete policies %s without BeforeHookCreation: the next sync can fail while the old one exists", [o.object.metadata.name, concat(",", o.argocd.deletePolicies)])}
}
