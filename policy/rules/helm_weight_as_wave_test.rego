package wavecheck.rules.helm_weight_as_wave_test

import data.wavecheck.fixtures
import data.wavecheck.rules.helm_weight_as_wave as rule

cm(facts) := fixtures.obj({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "annotations": {"helm.sh/hook-weight": "-5"}}}, facts)

test_fires_on_resource if {
	f := rule.findings with data.wavecheck.objects as fixtures.objects([cm({"wave": -5, "waveSource": "hook-weight"})])
	f == {{"index": 0, "msg": "helm.sh/hook-weight \"-5\" on a non-hook puts it in sync wave -5"}}
}

test_silent_on_hook if {
	o := cm(object.union(fixtures.hook("PreSync", -5), {"waveSource": "hook-weight"}))
	count(rule.findings) == 0 with data.wavecheck.objects as fixtures.objects([o])
}
