package wavecheck.rules.sync_wave_not_integer_test

import data.wavecheck.fixtures
import data.wavecheck.rules.sync_wave_not_integer as rule

cm(wave, facts) := fixtures.obj({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "annotations": {"argocd.argoproj.io/sync-wave": wave}}}, facts)

test_fires_on_decimal if {
	f := rule.findings with data.wavecheck.objects as fixtures.objects([cm("1.5", {"syncWaveInvalid": true})])
	f == {{"index": 0, "msg": "sync-wave \"1.5\" is not an integer: Argo CD uses wave 0"}}
}

test_silent_on_signed_integer if {
	count(rule.findings) == 0 with data.wavecheck.objects as fixtures.objects([cm("+3", {"wave": 3, "waveSource": "sync-wave"})])
}
