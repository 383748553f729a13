# METADATA
# title: Contradictory sync options
# description: |-
#   Some resource sync options cancel each other: PruneLast=true does nothing with
#   Prune=false (the resource is never pruned) or on a hook (hooks are not pruned);
#   Replace=true makes Argo CD replace the object, so ServerSideApply=true is not used;
#   ServerSideApply=false wins over ServerSideApply=true.
# related_resources:
# - ref: https://argo-cd.readthedocs.io/en/stable/user-guide/sync-options/
# custom:
#   id: sync-option-conflict
#   severity: warning
#   hint: Keep only the sync option you mean.
package wavecheck.rules.sync_option_conflict

import data.wavecheck.lib

conflicts := [
	{"a": "Prune=false", "b": "PruneLast=true", "why": "a resource that is never pruned is not pruned last"},
	{"a": "Replace=true", "b": "ServerSideApply=true", "why": "Argo CD replaces the object and does not use server-side apply"},
	{"a": "ServerSideApply=false", "b": "ServerSideApply=true", "why": "ServerSideApply=false wins"},
]

findings contains f if {
	some o in lib.sync_options_annotated
	some c in conflicts
	c.a in o.argocd.syncOptions
	c.b in o.argocd.syncOptions
	f := {"index": o.index, "msg": sprintf("sync options %s and %s conflict: %s", [c.a, c.b, c.why])}
}

findings contains f if {
	some o in lib.sync_options_annotated
	o.argocd.hook
	"PruneLast=true" in o.argocd.syncOptions
	f := {"index": o.index, "msg": "sync option PruneLast=true on a hook does nothing: hooks are not pruned"}
}
