package wavecheck.rules.hook_version_unsupported_test

import data.wavecheck.fixtures
import data.wavecheck.rules.hook_version_unsupported as rule

job := fixtures.obj({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j", "annotations": {"argocd.argoproj.io/hook": "PreDelete"}}}, {"hook": true, "argocdHookValues": ["PreDelete"], "syncPhases": [], "steps": []})

test_fires_before_3_3 if {
	f := rule.findings with data.wavecheck.objects as fixtures.objects([job]) with data.wavecheck.argocd_version as fixtures.version(3, 2)
	f == {{"index": 0, "msg": "hook type \"PreDelete\" needs Argo CD >= 3.3 (target 3.2): the hook never runs"}}
}

test_silent_on_3_3 if {
	count(rule.findings) == 0 with data.wavecheck.objects as fixtures.objects([job]) with data.wavecheck.argocd_version as fixtures.version(3, 3)
}

test_post_delete_on_2_9_and_2_10 if {
	o := fixtures.obj({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j", "annotations": {"helm.sh/hook": "post-delete"}}}, {"hook": true, "helmHookValues": ["post-delete"], "syncPhases": [], "steps": []})
	count(rule.findings) == 1 with data.wavecheck.objects as fixtures.objects([o]) with data.wavecheck.argocd_version as fixtures.version(2, 9)
	count(rule.findings) == 0 with data.wavecheck.objects as fixtures.objects([o]) with data.wavecheck.argocd_version as fixtures.version(2, 10)
}
