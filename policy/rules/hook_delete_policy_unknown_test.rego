package wavecheck.rules.hook_delete_policy_unknown_test

import data.wavecheck.fixtures
import data.wavecheck.rules.hook_delete_policy_unknown as rule

job(anns) := fixtures.obj({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j", "annotations": anns}}, fixtures.hook("PreSync", 0))

test_fires_on_helm_spelling if {
	o := job({"argocd.argoproj.io/hook": "PreSync", "argocd.argoproj.io/hook-delete-policy": "hook-succeeded"})
	f := rule.findings with data.wavecheck.objects as fixtures.objects([o])
	f == {{"index": 0, "msg": "unknown hook-delete-policy \"hook-succeeded\" (Helm spelling; use \"HookSucceeded\"): Argo CD ignores it"}}
}

test_fires_on_unknown_helm_policy if {
	o := job({"helm.sh/hook": "pre-install", "helm.sh/hook-delete-policy": "always"})
	f := rule.findings with data.wavecheck.objects as fixtures.objects([o])
	f == {{"index": 0, "msg": "unknown helm.sh/hook-delete-policy \"always\": Argo CD ignores it"}}
}

test_silent_on_valid if {
	o := job({"argocd.argoproj.io/hook": "PreSync", "argocd.argoproj.io/hook-delete-policy": "HookSucceeded, BeforeHookCreation", "helm.sh/hook-delete-policy": "hook-failed"})
	count(rule.findings) == 0 with data.wavecheck.objects as fixtures.objects([o])
}
