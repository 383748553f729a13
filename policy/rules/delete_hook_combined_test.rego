package wavecheck.rules.delete_hook_combined_test

import data.wavecheck.fixtures
import data.wavecheck.rules.delete_hook_combined as rule

job(ann) := fixtures.obj({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j", "annotations": ann}}, {"hook": true})

test_fires_on_list if {
	f := rule.findings with data.wavecheck.objects as fixtures.objects([job({"argocd.argoproj.io/hook": "PostSync, PostDelete"})])
	f == {{"index": 0, "msg": "argocd.argoproj.io/hook \"PostSync, PostDelete\" lists PostDelete with other values: Argo CD only runs it on deletion when the value is exactly PostDelete"}}
}

test_fires_on_helm_list if {
	count(rule.findings) == 2 with data.wavecheck.objects as fixtures.objects([job({"helm.sh/hook": "pre-delete,post-delete"})])
}

test_silent_on_exact if {
	count(rule.findings) == 0 with data.wavecheck.objects as fixtures.objects([job({"argocd.argoproj.io/hook": "PostDelete"})])
}
