package wavecheck.rules.hook_named_without_recreate_test

import data.wavecheck.fixtures
import data.wavecheck.rules.hook_named_without_recreate as rule

job(md, policies, defaulted) := fixtures.obj({"apiVersion": "batch/v1", "kind": "Job", "metadata": md}, object.union(fixtures.hook("PreSync", 0), {"deletePolicies": policies, "deletePoliciesDefaulted": defaulted}))

test_fires_on_named_hook_succeeded_only if {
	o := job({"name": "migrate"}, ["HookSucceeded"], false)
	f := rule.findings with data.wavecheck.objects as fixtures.objects([o])
	f == {{"index": 0, "msg": "named hook migrate has delete policies HookSucceeded without BeforeHookCreation: the next sync can fail while the old one exists"}}
}

test_silent_with_before_hook_creation if {
	o := job({"name": "migrate"}, ["HookSucceeded", "BeforeHookCreation"], false)
	count(rule.findings) == 0 with data.wavecheck.objects as fixtures.objects([o])
}

test_silent_with_default_policy if {
	o := job({"name": "migrate"}, ["BeforeHookCreation"], true)
	count(rule.findings) == 0 with data.wavecheck.objects as fixtures.objects([o])
}

test_silent_with_generate_name if {
	o := job({"generateName": "migrate-"}, ["HookSucceeded"], false)
	count(rule.findings) == 0 with data.wavecheck.objects as fixtures.objects([o])
}
