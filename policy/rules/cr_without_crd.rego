# METADATA
# title: Custom resource without its CRD
# description: |-
#   Argo CD dry-runs every object before applying anything. A custom resource whose CRD is
#   neither in the app nor already installed fails that dry run ("the server could not find
#   the requested resource") and the whole sync fails, unless the resource (or the
#   Application's syncOptions) carries SkipDryRunOnMissingResource=true. wavecheck cannot see
#   the cluster: it warns when the CRD is not in the app and the API group is not built into
#   Kubernetes.
# related_resources:
# - ref: https://argo-cd.readthedocs.io/en/stable/user-guide/sync-options/#skip-dry-run-for-new-custom-resources-types
# custom:
#   id: cr-without-crd
#   severity: warning
#   hint: Add the CRD to the app, or annotate the resource with argocd.argoproj.io/sync-options SkipDryRunOnMissingResource=true.
package wavecheck.rules.cr_without_crd

import data.wavecheck.lib

# Argo CD's own kinds are installed wherever Argo CD runs (app of apps).
argocd_kinds := {"argoproj.io/Application", "argoproj.io/AppProject", "argoproj.io/ApplicationSet"}

crds := {sprintf("%s/%s", [o.object.spec.group, o.object.spec.names.kind]) |
	some o in data.wavecheck.objects
	o.object.kind == "CustomResourceDefinition"
	o.group == "apiextensions.k8s.io"
}

# The Application's syncPolicy.syncOptions (empty without an Application).
app_sync_options := {o | some o in data.wavecheck.app.syncOptions}

# Only objects of lib.custom_resources (API group not built into Kubernetes) can be reported:
# policy/gate.go compiles this rule only when that list is not empty.
findings contains f if {
	some o in lib.custom_resources
	gk := sprintf("%s/%s", [o.group, o.object.kind])
	not gk in crds
	not gk in argocd_kinds
	not o.argocd.skip
	count(array.concat(o.argocd.steps, o.argocd.deleteHookTypes)) > 0
	not "SkipDryRunOnMissingResource=true" in o.argocd.syncOptions
	# The Application's own syncPolicy.syncOptions apply to every object
	# (controller/sync.go: sync.WithSkipDryRunOnMissingResource).
	not "SkipDryRunOnMissingResource=true" in app_sync_options
	f := {"index": o.index, "msg": sprintf("%s has no CRD in the app: the sync fails at the dry run unless the CRD is already installed", [gk])}
}
