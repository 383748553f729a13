package wavecheck.rules.application_as_hook_test

import data.wavecheck.fixtures
import data.wavecheck.rules.application_as_hook as rule

app(md, facts) := fixtures.obj({"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", "metadata": object.union({"name": "child"}, md)}, facts)

test_fires_with_finalizer if {
	f := rule.findings with data.wavecheck.objects as fixtures.objects([app({"finalizers": ["resources-finalizer.argocd.argoproj.io"]}, fixtures.hook("PostSync", 0))])
	f == {{"index": 0, "msg": "Application is a PostSync hook: Argo CD deletes and re-creates it on every sync, and its resources-finalizer deletes every resource of the child app each time"}}
}

test_fires_without_finalizer if {
	f := rule.findings with data.wavecheck.objects as fixtures.objects([app({}, fixtures.hook("PreSync", 0))])
	f == {{"index": 0, "msg": "Application is a PreSync hook: Argo CD deletes and re-creates it on every sync, re-syncing the child app from scratch"}}
}

test_silent_on_wave_only if {
	count(rule.findings) == 0 with data.wavecheck.objects as fixtures.objects([app({}, {"wave": 2, "waveSource": "sync-wave"})])
}

test_silent_on_deletion_only_hook if {
	count(rule.findings) == 0 with data.wavecheck.objects as fixtures.objects([app({}, object.union(fixtures.hook("PreDelete", 0), {"syncPhases": [], "steps": [], "phase": ""}))])
}

test_silent_on_other_kinds if {
	job := fixtures.obj({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"}}, fixtures.hook("PostSync", 0))
	count(rule.findings) == 0 with data.wavecheck.objects as fixtures.objects([job])
}
