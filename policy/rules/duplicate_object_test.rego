package wavecheck.rules.duplicate_object_test

import data.wavecheck.fixtures
import data.wavecheck.rules.duplicate_object as rule

cm := fixtures.obj({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}, {})

test_fires_on_second_copy if {
	f := rule.findings with data.wavecheck.objects as fixtures.objects([cm, cm]) with data.wavecheck.lookup as {"/ConfigMap//c": [0, 1]}
	f == {{"index": 1, "msg": "ConfigMap/c is defined 2 times (first at test.yaml:1): Argo CD applies only one"}}
}

test_silent_on_unique if {
	count(rule.findings) == 0 with data.wavecheck.objects as fixtures.objects([cm]) with data.wavecheck.lookup as {"/ConfigMap//c": [0]}
}
