# METADATA
# title: Helm hook type ignored by Argo CD
# description: |-
#   Argo CD maps only the Helm hooks pre-install and pre-upgrade (PreSync), post-install and
#   post-upgrade (PostSync), and an exact pre-delete / post-delete (Application deletion).
#   test, test-success, test-failure, pre-rollback, post-rollback (and unknown values) are
#   dropped silently; an object whose only Helm hooks are dropped is still a hook and is never
#   applied. crd-install is not a hook at all: the CRD is applied as a normal resource.
# related_resources:
# - ref: https://argo-cd.readthedocs.io/en/stable/user-guide/helm/#helm-hooks
# custom:
#   id: helm-hook-unsupported
#   severity: warning
#   hint: Use a supported Helm hook or an argocd.argoproj.io/hook annotation; drop test hooks from what Argo CD renders.
package wavecheck.rules.helm_hook_unsupported

import data.wavecheck.lib

supported := {h | some h, _ in lib.argocd.helmHookTypes}

# deletion hooks need the exact value (and a recent Argo CD: see hook-version-unsupported).
deletion := {h | some h, _ in lib.argocd.helmDeleteHookTypes}

sync_hook_types := {t | some t in lib.argocd.syncHookTypes}

findings contains f if {
	some o in lib.hook_annotated
	count([t | some t in o.argocd.argocdHookValues; t in sync_hook_types]) == 0
	some v in o.argocd.helmHookValues
	not v in supported
	not exact_deletion(o, v)
	f := {"index": o.index, "msg": sprintf("Helm hook %q is ignored by Argo CD: %s", [v, effect(o, v)])}
}

effect(o, v) := "the object is applied as a normal resource" if {
	v == "crd-install"
} else := "the hook is never applied" if {
	count(o.argocd.syncPhases) == 0
	count(o.argocd.deleteHookTypes) == 0
} else := "only its other hook types are used"

exact_deletion(o, v) if {
	v in deletion
	o.argocd.annotations["helm.sh/hook"] == v
}
