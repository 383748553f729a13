# METADATA
# title: Deletion hook type inside a list
# description: |-
#   Up to Argo CD 3.3.2 the controller treats an object as a PreDelete or PostDelete hook only
#   when the whole annotation value is PreDelete or PostDelete (argocd.argoproj.io/hook), or
#   pre-delete or post-delete (helm.sh/hook): in a list such as "PostSync,PostDelete" the
#   deletion type is ignored and the object never runs when the Application is deleted. Argo
#   CD 3.3.3 and later read the list. Argo CD 3.3.0 to 3.3.4 also keep every deletion hook out
#   of syncs, so the sync types of such a list never run; 3.3.5 and later run both. And from
#   3.3.0 a hook that is both PreDelete and PostDelete (and nothing else) does not make the
#   controller add the Application's post-delete finalizer (partitionTargetObjsForSync skips
#   the PostDelete check after a PreDelete match): unless another PostDelete hook does, it
#   never runs after the deletion. The rule follows --argocd-version (controller/hook.go
#   isHookOfType, controller/state.go).
# related_resources:
# - ref: https://argo-cd.readthedocs.io/en/stable/user-guide/resource_hooks/
# custom:
#   id: delete-hook-combined
#   severity: error
#   hint: Use a separate object whose hook annotation is exactly PreDelete or PostDelete, or set --argocd-version to the Argo CD you run (3.3.5 and later read lists).
package wavecheck.rules.delete_hook_combined

import data.wavecheck.lib

findings contains f if {
	some o in lib.hook_annotated
	some h in o.argocd.ignoredDeleteHooks
	f := {"index": o.index, "msg": sprintf("%s %q is not exactly %s: Argo CD %s compares the whole value, so the object never runs when the Application is deleted (lists are read from 3.3.3)", [h.key, h.value, h.item, lib.version.string])}
}

findings contains f if {
	some o in lib.hook_annotated
	count(o.argocd.syncDroppedPhases) > 0
	f := {"index": o.index, "msg": sprintf("%s hook is also a %s hook: Argo CD %s keeps deletion hooks out of syncs, so it never runs in %s (kept from 3.3.5)", [concat(",", o.argocd.deleteHookTypes), concat(",", o.argocd.syncDroppedPhases), lib.version.string, concat(", ", o.argocd.syncDroppedPhases)])}
}

findings contains f if {
	some o in lib.hook_annotated
	"PostDelete" in o.argocd.deleteHookTypes
	not "PostDelete" in o.argocd.finalizerHookTypes
	not post_delete_finalizer
	f := {"index": o.index, "msg": sprintf("a hook that is both PreDelete and PostDelete does not make Argo CD %s add the post-delete finalizer, and no other PostDelete hook does: it runs before the deletion only", [lib.version.string])}
}

# post_delete_finalizer is true when some object makes the controller add the post-delete
# finalizer, so the PostDelete stage runs.
post_delete_finalizer if {
	some o in data.wavecheck.objects
	"PostDelete" in o.argocd.finalizerHookTypes
}
