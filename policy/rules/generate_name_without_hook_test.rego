package wavecheck.rules.generate_name_without_hook_test

import data.wavecheck.fixtures
import data.wavecheck.rules.generate_name_without_hook as rule

test_fires_on_plain_job if {
	o := fixtures.obj({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"generateName": "run-"}}, {})
	f := rule.findings with data.wavecheck.objects as fixtures.objects([o])
	f == {{"index": 0, "msg": "generateName \"run-\" on a Job that is not a hook: Argo CD cannot apply an object without a name"}}
}

test_silent_on_hook if {
	o := fixtures.obj({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"generateName": "run-"}}, fixtures.hook("PostSync", 0))
	count(rule.findings) == 0 with data.wavecheck.objects as fixtures.objects([o])
}
