package wavecheck.rules.wave_weight_conflict_test

import data.wavecheck.fixtures
import data.wavecheck.rules.wave_weight_conflict as rule

job(wave, weight) := fixtures.obj({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j", "annotations": {"argocd.argoproj.io/sync-wave": wave, "helm.sh/hook-weight": weight}}}, object.union(fixtures.hook("PreSync", to_number(wave)), {"waveSource": "sync-wave"}))

test_fires_when_different if {
	f := rule.findings with data.wavecheck.objects as fixtures.objects([job("1", "-5")])
	f == {{"index": 0, "msg": "sync-wave 1 overrides helm.sh/hook-weight \"-5\": Argo CD orders by the wave"}}
}

test_silent_when_equal if {
	count(rule.findings) == 0 with data.wavecheck.objects as fixtures.objects([job("2", "+2")])
}
