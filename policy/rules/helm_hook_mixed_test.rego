package wavecheck.rules.helm_hook_mixed_test

import data.wavecheck.fixtures
import data.wavecheck.rules.helm_hook_mixed as rule

test_fires_on_both if {
	o := fixtures.obj({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j", "annotations": {"argocd.argoproj.io/hook": "PostSync", "helm.sh/hook": "pre-install"}}}, fixtures.hook("PostSync", 0))
	f := rule.findings with data.wavecheck.objects as fixtures.objects([o])
	f == {{"index": 0, "msg": "argocd.argoproj.io/hook \"PostSync\" and helm.sh/hook \"pre-install\": Argo CD uses the Argo CD hook and ignores the Helm hook"}}
}

test_silent_on_helm_only if {
	o := fixtures.obj({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j", "annotations": {"helm.sh/hook": "pre-install"}}}, fixtures.hook("PreSync", 0))
	count(rule.findings) == 0 with data.wavecheck.objects as fixtures.objects([o])
}
