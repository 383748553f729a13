package wavecheck.rules.hook_job_unbounded_test

import data.wavecheck.fixtures
import data.wavecheck.rules.hook_job_unbounded as rule

job(spec) := fixtures.obj({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"}, "spec": spec}, fixtures.hook("PreSync", 0))

test_fires_without_bounds if {
	f := rule.findings with data.wavecheck.objects as fixtures.objects([job({"template": {}})])
	f == {{"index": 0, "msg": "hook Job has no spec.activeDeadlineSeconds or spec.backoffLimit: a stuck Job holds the sync"}}
}

test_fires_without_backoff if {
	f := rule.findings with data.wavecheck.objects as fixtures.objects([job({"activeDeadlineSeconds": 600})])
	f == {{"index": 0, "msg": "hook Job has no spec.backoffLimit: a stuck Job holds the sync"}}
}

test_silent_when_bounded if {
	count(rule.findings) == 0 with data.wavecheck.objects as fixtures.objects([job({"activeDeadlineSeconds": 600, "backoffLimit": 0})])
}

test_silent_on_plain_job if {
	o := fixtures.obj({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"}, "spec": {}}, {})
	count(rule.findings) == 0 with data.wavecheck.objects as fixtures.objects([o])
}
