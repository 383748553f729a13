# METADATA
# title: Application in a sync wave
# description: |-
#   Since Argo CD 1.8 an Application resource has no health check by default: in an app of
#   apps, the parent applies the child Application and moves to the next wave at once, without
#   waiting for the child to be synced and healthy. Waves between Applications only order
#   their creation unless the argoproj.io/Application health check is re-enabled in argocd-cm.
# related_resources:
# - ref: https://argo-cd.readthedocs.io/en/stable/operator-manual/health/#argocd-app
# custom:
#   id: application-wave-health
#   severity: info
#   hint: "Add the argoproj.io/Application health check (resource.customizations) to argocd-cm if later waves must wait for this Application; --severity application-wave-health=error (WAVECHECK_SEVERITY in the plugin) makes this finding block."
package wavecheck.rules.application_wave_health

import data.wavecheck.lib

findings contains f if {
	some o in lib.applications
	o.object.kind == "Application"
	o.group == "argoproj.io"
	o.argocd.waveSource != "default"
	f := {"index": o.index, "msg": sprintf("Application in sync wave %d: later waves do not wait for its health unless the Application health check is enabled", [o.argocd.wave])}
}
