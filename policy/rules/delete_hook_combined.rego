# METADATA
# title: Deletion hook type inside a list
# description: |-
#   Argo CD's controller treats an object as a PostDelete (or PreDelete) hook only when the
#   annotation value is exactly PostDelete (argocd.argoproj.io/hook) or post-delete
#   (helm.sh/hook). In a list such as "PostSync,PostDelete" the deletion type is ignored: the
#   object never runs when the Application is deleted.
# related_resources:
# - ref: https://argo-cd.readthedocs.io/en/stable/user-guide/resource_hooks/
# custom:
#   id: delete-hook-combined
#   severity: error
#   hint: Use a separate object whose hook annotation is exactly PostDelete (or PreDelete).
package wavecheck.rules.delete_hook_combined

import data.wavecheck.lib

deletion := {
	"argocd.argoproj.io/hook": {t | some t in lib.argocd.deleteHookTypes},
	"helm.sh/hook": {h | some h, _ in lib.argocd.helmDeleteHookTypes},
}

findings contains f if {
	some o in lib.hook_annotated
	some key, types in deletion
	value := o.argocd.annotations[key]
	some v in lib.csv(value)
	v in types
	value != v
	f := {"index": o.index, "msg": sprintf("%s %q lists %s with other values: Argo CD only runs it on deletion when the value is exactly %s", [key, value, v, v])}
}
