package wavecheck.rules.hook_unknown_type_test

import data.wavecheck.fixtures
import data.wavecheck.rules.hook_unknown_type as rule

job(hook, facts) := fixtures.obj({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j", "annotations": {"argocd.argoproj.io/hook": hook}}}, facts)

test_fires_on_typo if {
	o := job("Presync", {"hook": true, "argocdHookValues": ["Presync"], "syncPhases": [], "steps": []})
	f := rule.findings with data.wavecheck.objects as fixtures.objects([o])
	f == {{"index": 0, "msg": "unknown hook type \"Presync\" (did you mean \"PreSync\"?): the hook is never applied"}}
}

test_fires_on_extra_value if {
	o := job("PreSync,Later", object.union(fixtures.hook("PreSync", 0), {"argocdHookValues": ["PreSync", "Later"]}))
	f := rule.findings with data.wavecheck.objects as fixtures.objects([o])
	f == {{"index": 0, "msg": "unknown hook type \"Later\": the value is ignored"}}
}

test_silent_on_valid if {
	o := job("PreSync", fixtures.hook("PreSync", 0))
	count(rule.findings) == 0 with data.wavecheck.objects as fixtures.objects([o])
}

test_fires_on_empty_annotation if {
	o := job("", {"hook": true, "syncPhases": [], "steps": []})
	f := rule.findings with data.wavecheck.objects as fixtures.objects([o])
	f == {{"index": 0, "msg": "empty argocd.argoproj.io/hook annotation makes the object a hook with no type: it is never applied"}}
}
