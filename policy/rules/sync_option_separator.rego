# METADATA
# title: Sync options not separated by commas
# description: |-
#   Argo CD splits argocd.argoproj.io/sync-options on commas only (gitops-engine
#   resource.GetAnnotationCSVs) and then compares each whole item: "Prune=false;
#   PruneLast=true" or "Prune=false PruneLast=true" is one unknown option, so every option in
#   it is lost without an error (isPruningDisabled even reads Prune's value as "false;
#   PruneLast=true", which is not "false").
# related_resources:
# - ref: https://argo-cd.readthedocs.io/en/stable/user-guide/sync-options/
# custom:
#   id: sync-option-separator
#   severity: error
#   hint: "Separate sync options with commas, e.g. argocd.argoproj.io/sync-options: Prune=false,PruneLast=true."
package wavecheck.rules.sync_option_separator

import data.wavecheck.lib

findings contains f if {
	some o in lib.sync_options_annotated
	some v in o.argocd.syncOptions
	parts := lib.misseparated_sync_options(v)
	f := {"index": o.index, "msg": sprintf("sync options %q are one value to Argo CD, which splits them only on commas: %s are ignored (write %q)", [v, concat(" and ", parts), concat(",", parts)])}
}
