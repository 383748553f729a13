# METADATA
# title: Sync wave is not an integer
# description: |-
#   Argo CD parses argocd.argoproj.io/sync-wave with Go's strconv.Atoi. A value it rejects
#   ("1.5", "two", "1 " with a space) is silently ignored: the object falls back to its
#   helm.sh/hook-weight, else wave 0, and runs earlier (or later) than intended.
# related_resources:
# - ref: https://argo-cd.readthedocs.io/en/stable/user-guide/sync-waves/
# custom:
#   id: sync-wave-not-integer
#   severity: error
#   hint: 'Use a quoted whole number, e.g. argocd.argoproj.io/sync-wave: "2" (a sign is allowed, spaces and decimals are not).'
package wavecheck.rules.sync_wave_not_integer

import data.wavecheck.lib

findings contains f if {
	some o in lib.raw_issues
	o.argocd.syncWaveInvalid
	v := lib.raw_annotations(o)["argocd.argoproj.io/sync-wave"]
	f := {"index": o.index, "msg": sprintf("sync-wave %q is not an integer: Argo CD uses wave %d", [v, o.argocd.wave])}
}
