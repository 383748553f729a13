package wavecheck.rules.hook_skip_combined_test

import data.wavecheck.fixtures
import data.wavecheck.rules.hook_skip_combined as rule

cm(hook, facts) := fixtures.obj({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "annotations": {"argocd.argoproj.io/hook": hook}}}, facts)

test_fires_on_skip_with_presync if {
	o := cm("Skip,PreSync", object.union(fixtures.hook("PreSync", 0), {"hookTypes": ["Skip", "PreSync"], "argocdHookValues": ["Skip", "PreSync"]}))
	f := rule.findings with data.wavecheck.objects as fixtures.objects([o])
	f == {{"index": 0, "msg": "hook \"Skip,PreSync\" combines Skip with PreSync: Argo CD does not skip it and runs it as a hook"}}
}

test_silent_on_skip_alone if {
	o := cm("Skip", {"skip": true, "hookTypes": ["Skip"], "argocdHookValues": ["Skip"], "syncPhases": [], "steps": []})
	count(rule.findings) == 0 with data.wavecheck.objects as fixtures.objects([o])
}
