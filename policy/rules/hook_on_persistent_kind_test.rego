package wavecheck.rules.hook_on_persistent_kind_test

import data.wavecheck.fixtures
import data.wavecheck.rules.hook_on_persistent_kind as rule

test_fires_on_pvc_hook if {
	o := fixtures.obj({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "data"}}, fixtures.hook("PreSync", 0))
	f := rule.findings with data.wavecheck.objects as fixtures.objects([o])
	f == {{"index": 0, "msg": "PersistentVolumeClaim is a hook (PreSync): Argo CD deletes and re-creates it, losing what it holds"}}
}

test_silent_on_pvc_resource if {
	o := fixtures.obj({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "data"}}, {})
	count(rule.findings) == 0 with data.wavecheck.objects as fixtures.objects([o])
}
