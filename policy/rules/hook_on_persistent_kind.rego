# METADATA
# title: Persistent kind used as a hook
# description: |-
#   Hooks are deleted and re-created (BeforeHookCreation is the default policy) and may be
#   deleted after they succeed. A Namespace, PersistentVolumeClaim, PersistentVolume or
#   CustomResourceDefinition as a hook loses its contents (every object in the namespace,
#   the volume data, every custom resource) at the next sync.
# related_resources:
# - ref: https://argo-cd.readthedocs.io/en/stable/user-guide/resource_hooks/
# custom:
#   id: hook-on-persistent-kind
#   severity: warning
#   hint: Make it a normal resource and order it with argocd.argoproj.io/sync-wave instead.
package wavecheck.rules.hook_on_persistent_kind

import data.wavecheck.lib

persistent := {"Namespace", "PersistentVolumeClaim", "PersistentVolume", "CustomResourceDefinition"}

findings contains f if {
	some o in lib.hooks
	o.argocd.hook
	o.object.kind in persistent
	f := {"index": o.index, "msg": sprintf("%s is a hook (%s): Argo CD deletes and re-creates it, losing what it holds", [o.object.kind, concat(",", array.concat(o.argocd.syncPhases, o.argocd.deleteHookTypes))])}
}
