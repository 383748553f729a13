package wavecheck.rules.helm_hook_unsupported_test

import data.wavecheck.fixtures
import data.wavecheck.rules.helm_hook_unsupported as rule

pod(hook, facts) := fixtures.obj({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "annotations": {"helm.sh/hook": hook}}}, facts)

test_fires_on_test_hook if {
	o := pod("test", {"hook": true, "helmHookValues": ["test"], "syncPhases": [], "steps": []})
	f := rule.findings with data.wavecheck.objects as fixtures.objects([o])
	f == {{"index": 0, "msg": "Helm hook \"test\" is ignored by Argo CD: the hook is never applied"}}
}

test_fires_on_rollback_next_to_supported if {
	o := pod("post-install,post-rollback", object.union(fixtures.hook("PostSync", 0), {"argocdHookValues": [], "helmHookValues": ["post-install", "post-rollback"]}))
	f := rule.findings with data.wavecheck.objects as fixtures.objects([o])
	f == {{"index": 0, "msg": "Helm hook \"post-rollback\" is ignored by Argo CD: only its other hook types are used"}}
}

test_silent_on_supported if {
	o := pod("pre-install,pre-upgrade", object.union(fixtures.hook("PreSync", 0), {"argocdHookValues": [], "helmHookValues": ["pre-install", "pre-upgrade"]}))
	count(rule.findings) == 0 with data.wavecheck.objects as fixtures.objects([o])
}

test_silent_on_exact_post_delete if {
	o := pod("post-delete", {"hook": true, "helmHookValues": ["post-delete"], "deleteHookTypes": ["PostDelete"], "syncPhases": [], "steps": []})
	count(rule.findings) == 0 with data.wavecheck.objects as fixtures.objects([o])
}
