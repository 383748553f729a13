package wavecheck.rules.delete_hook_combined_test

import data.wavecheck.fixtures
import data.wavecheck.rules.delete_hook_combined as rule

job(ann, facts) := fixtures.obj({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j", "annotations": ann}}, object.union({"hook": true}, facts))

ignored(key, value, typ, it) := {"key": key, "value": value, "type": typ, "item": it}

test_fires_on_ignored_list if {
	o := job({"argocd.argoproj.io/hook": "PostSync, PostDelete"}, {"ignoredDeleteHooks": [ignored("argocd.argoproj.io/hook", "PostSync, PostDelete", "PostDelete", "PostDelete")]})
	f := rule.findings with data.wavecheck.objects as fixtures.objects([o])
		with data.wavecheck.argocd_version as {"major": 3, "minor": 3, "patch": 2, "string": "3.3.2"}
	f == {{"index": 0, "msg": "argocd.argoproj.io/hook \"PostSync, PostDelete\" is not exactly PostDelete: Argo CD 3.3.2 compares the whole value, so the object never runs when the Application is deleted (lists are read from 3.3.3)"}}
}

test_fires_on_helm_list if {
	o := job({"helm.sh/hook": "pre-delete,post-delete"}, {"ignoredDeleteHooks": [
		ignored("helm.sh/hook", "pre-delete,post-delete", "PreDelete", "pre-delete"),
		ignored("helm.sh/hook", "pre-delete,post-delete", "PostDelete", "post-delete"),
	]})
	count(rule.findings) == 2 with data.wavecheck.objects as fixtures.objects([o])
}

test_fires_on_dropped_sync_phase if {
	o := job({"argocd.argoproj.io/hook": "PostSync,PostDelete"}, {"deleteHookTypes": ["PostDelete"], "finalizerHookTypes": ["PostDelete"], "syncDroppedPhases": ["PostSync"], "syncPhases": [], "steps": []})
	f := rule.findings with data.wavecheck.objects as fixtures.objects([o])
		with data.wavecheck.argocd_version as {"major": 3, "minor": 3, "patch": 4, "string": "3.3.4"}
	f == {{"index": 0, "msg": "PostDelete hook is also a PostSync hook: Argo CD 3.3.4 keeps deletion hooks out of syncs, so it never runs in PostSync (kept from 3.3.5)"}}
}

both := job({"argocd.argoproj.io/hook": "PreDelete,PostDelete"}, {"deleteHookTypes": ["PreDelete", "PostDelete"], "finalizerHookTypes": ["PreDelete"], "deletionOnly": true, "syncPhases": [], "steps": []})

test_fires_on_pre_and_post_delete_alone if {
	f := rule.findings with data.wavecheck.objects as fixtures.objects([both])
	f == {{"index": 0, "msg": "a hook that is both PreDelete and PostDelete does not make Argo CD 3.6 add the post-delete finalizer, and no other PostDelete hook does: it runs before the deletion only"}}
}

# Another PostDelete hook makes the controller add the finalizer: both run.
test_silent_on_pre_and_post_delete_with_another_post_delete if {
	other := fixtures.obj({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "annotations": {"argocd.argoproj.io/hook": "PostDelete"}}}, {"hook": true, "deleteHookTypes": ["PostDelete"], "finalizerHookTypes": ["PostDelete"]})
	count(rule.findings) == 0 with data.wavecheck.objects as fixtures.objects([both, other])
}

test_silent_on_exact if {
	count(rule.findings) == 0 with data.wavecheck.objects as fixtures.objects([job({"argocd.argoproj.io/hook": "PostDelete"}, {"deleteHookTypes": ["PostDelete"], "finalizerHookTypes": ["PostDelete"]})])
}
