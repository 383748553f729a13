package wavecheck.rules.hook_ttl_after_finished_test

import data.wavecheck.fixtures
import data.wavecheck.rules.hook_ttl_after_finished as rule

job := fixtures.obj({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"}, "spec": {"ttlSecondsAfterFinished": 60}}, fixtures.hook("PostSync", 0))

test_fires_on_2_14 if {
	f := rule.findings with data.wavecheck.objects as fixtures.objects([job]) with data.wavecheck.argocd_version as fixtures.version(2, 14)
	f == {{"index": 0, "msg": "Job hook sets ttlSecondsAfterFinished 60: before Argo CD 3.0 (target 2.14) the Job can vanish before its result is read"}}
}

test_silent_on_3_0 if {
	count(rule.findings) == 0 with data.wavecheck.objects as fixtures.objects([job]) with data.wavecheck.argocd_version as fixtures.version(3, 0)
}
