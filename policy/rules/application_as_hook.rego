# METADATA
# title: Application used as a hook
# description: |-
#   A hook is not applied like other resources: Argo CD creates it in its phase and, with the
#   default BeforeHookCreation delete policy, deletes the previous one first, on every sync
#   (gitops-engine sync_context.go: hooks are always recreated). An Application that is a hook
#   (an argocd.argoproj.io/hook annotation, or a Helm hook that Argo CD maps to one, as in
#   argo-helm#2603) is therefore deleted and re-created on every sync of its parent; with the
#   resources-finalizer.argocd.argoproj.io finalizer the deletion cascades and removes every
#   resource of the child app before it is synced again.
# related_resources:
# - ref: https://github.com/argoproj/argo-helm/issues/2603
# - ref: https://argo-cd.readthedocs.io/en/stable/user-guide/resource_hooks/
# custom:
#   id: application-as-hook
#   severity: error
#   hint: Remove the hook annotation (argocd.argoproj.io/hook or helm.sh/hook) from the Application and order it with argocd.argoproj.io/sync-wave instead.
package wavecheck.rules.application_as_hook

import data.wavecheck.lib

findings contains f if {
	some o in lib.applications
	o.argocd.hook
	count(o.argocd.syncPhases) > 0
	f := {"index": o.index, "msg": sprintf("Application is a %s hook: Argo CD deletes and re-creates it on every sync%s", [concat("/", o.argocd.syncPhases), cascade(o)])}
}

cascade(o) := ", and its resources-finalizer deletes every resource of the child app each time" if {
	"resources-finalizer.argocd.argoproj.io" in object.get(o.object.metadata, "finalizers", [])
} else := ", re-syncing the child app from scratch"
