# METADATA
# title: Application-level sync option on a resource
# description: |-
#   ApplyOutOfSyncOnly, PrunePropagationPolicy, CreateNamespace, FailOnSharedResource,
#   RespectIgnoreDifferences and ClientSideApplyMigration are read only from the
#   Application's spec.syncPolicy.syncOptions. Set as a resource annotation they do nothing.
# related_resources:
# - ref: https://argo-cd.readthedocs.io/en/stable/user-guide/sync-options/
# custom:
#   id: sync-option-app-level
#   severity: warning
#   hint: Move the option to the Application's spec.syncPolicy.syncOptions.
package wavecheck.rules.sync_option_app_level

import data.wavecheck.lib

app_level := {o | some o in lib.argocd.appSyncOptions}

findings contains f if {
	some o in lib.sync_options_annotated
	some v in o.argocd.syncOptions
	split(v, "=")[0] in app_level
	f := {"index": o.index, "msg": sprintf("sync option %q only works in the Application's syncPolicy: on a resource it is ignored", [v])}
}
