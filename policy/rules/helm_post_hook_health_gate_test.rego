package wavecheck.rules.helm_post_hook_health_gate_test

import data.wavecheck.fixtures
import data.wavecheck.rules.helm_post_hook_health_gate as rule

job(helm, argo) := fixtures.obj(
	{"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "migrate", "annotations": {"helm.sh/hook": helm}}},
	object.union(fixtures.hook("PostSync", 0), {"argocdHookValues": argo, "helmHookValues": split(helm, ",")}),
)

deploy(name) := fixtures.obj({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name}}, {})

test_fires_with_a_deployment if {
	f := rule.findings with data.wavecheck.objects as fixtures.objects([job("post-install,post-upgrade", []), deploy("api")])
	f == {{"index": 0, "msg": "Helm hook post-install,post-upgrade makes this Job a PostSync hook: Argo CD starts it only after Deployment/api is healthy; if any of them waits for the Job, the sync hangs"}}
}

test_lists_at_most_three if {
	f := rule.findings with data.wavecheck.objects as fixtures.objects([job("post-upgrade", []), deploy("a"), deploy("b"), deploy("c"), deploy("d")])
	f == {{"index": 0, "msg": "Helm hook post-upgrade makes this Job a PostSync hook: Argo CD starts it only after Deployment/a, Deployment/b, Deployment/c and 1 more are healthy; if any of them waits for the Job, the sync hangs"}}
}

test_silent_without_workloads if {
	cm := fixtures.obj({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}, {})
	count(rule.findings) == 0 with data.wavecheck.objects as fixtures.objects([job("post-install", []), cm])
}

test_silent_when_argocd_hook_decides if {
	count(rule.findings) == 0 with data.wavecheck.objects as fixtures.objects([job("post-install", ["PostSync"]), deploy("api")])
}

test_silent_on_pre_install if {
	pre := fixtures.obj(
		{"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "migrate", "annotations": {"helm.sh/hook": "pre-install"}}},
		object.union(fixtures.hook("PreSync", 0), {"argocdHookValues": [], "helmHookValues": ["pre-install"]}),
	)
	count(rule.findings) == 0 with data.wavecheck.objects as fixtures.objects([pre, deploy("api")])
}

test_hook_workloads_do_not_count if {
	other := fixtures.obj({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "x"}}, fixtures.hook("PreSync", 0))
	count(rule.findings) == 0 with data.wavecheck.objects as fixtures.objects([job("post-install", []), other])
}
