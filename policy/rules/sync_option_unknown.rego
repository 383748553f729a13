# METADATA
# title: Unknown sync option
# description: |-
#   Argo CD matches argocd.argoproj.io/sync-options values as exact strings such as
#   Prune=false or SkipDryRunOnMissingResource=true. A value with another spelling, case or
#   value (prune=false, Prune=False, Validate=no) matches nothing and is ignored without an
#   error.
# related_resources:
# - ref: https://argo-cd.readthedocs.io/en/stable/user-guide/sync-options/
# custom:
#   id: sync-option-unknown
#   severity: warning
#   hint: Use a documented resource sync option with its exact spelling, e.g. Prune=false or ServerSideApply=true.
package wavecheck.rules.sync_option_unknown

import data.wavecheck.lib

# known are the resource-level options gitops-engine and Argo CD read, plus the spellings of
# their defaults (harmless no-ops).
known := {o | some o in lib.argocd.resourceSyncOptions}

# app_level are handled by sync-option-app-level.
app_level := {o | some o in lib.argocd.appSyncOptions}

findings contains f if {
	some o in lib.sync_options_annotated
	some v in o.argocd.syncOptions
	not v in known
	not split(v, "=")[0] in app_level
	not lib.misseparated_sync_options(v) # sync-option-separator
	f := {"index": o.index, "msg": sprintf("unknown sync option %q%s: Argo CD ignores it", [v, suggestion(v)])}
}

suggestion(v) := sprintf(" (did you mean %q?)", [k]) if {
	some k in known
	lower(k) == lower(replace(v, " ", ""))
} else := ""
