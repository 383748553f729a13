package wavecheck.rules.namespace_wave_adjusted_test

import data.wavecheck.fixtures
import data.wavecheck.rules.namespace_wave_adjusted as rule

test_fires_when_moved if {
	o := fixtures.obj({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "x"}}, {"wave": 5, "steps": [{"phase": "Sync", "wave": -1, "moved": true, "before": "ConfigMap/c", "declaredPhase": "Sync", "declaredWave": 5}]})
	f := rule.findings with data.wavecheck.objects as fixtures.objects([o])
	f == {{"index": 0, "msg": "Argo CD applies this Namespace in Sync wave -1, not Sync wave 5: it moves before ConfigMap/c"}}
}

test_silent_when_in_place if {
	o := fixtures.obj({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "x"}}, {})
	count(rule.findings) == 0 with data.wavecheck.objects as fixtures.objects([o])
}
