# METADATA
# title: CRD moved to an earlier phase or wave
# description: |-
#   After sorting, Argo CD moves a CRD that comes later than its first custom resource right
#   before it, and gives it that object's phase and wave. The CRD's own sync-wave (or
#   phase) is then not what decides when it is applied; wavecheck reports the effective one.
# related_resources:
# - ref: https://github.com/argoproj/argo-cd/issues/5522
# custom:
#   id: crd-wave-adjusted
#   severity: info
#   hint: Give the CRD a wave (and phase) no later than its first custom resource, so the manifests say what Argo CD does.
package wavecheck.rules.crd_wave_adjusted

import data.wavecheck.lib

findings contains f if {
	some o in lib.moved
	o.object.kind == "CustomResourceDefinition"
	some s in o.argocd.steps
	s.moved
	declared := {"phase": s.declaredPhase, "wave": s.declaredWave}
	f := {"index": o.index, "msg": sprintf("Argo CD applies this CRD in %s, not %s: it moves before %s", [lib.step_string(s), lib.step_string(declared), s.before])}
}
