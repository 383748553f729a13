package wavecheck.rules.sync_option_app_level_test

import data.wavecheck.fixtures
import data.wavecheck.rules.sync_option_app_level as rule

cm(opts) := fixtures.obj({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "annotations": {"argocd.argoproj.io/sync-options": concat(",", opts)}}}, {"syncOptions": opts})

test_fires_on_create_namespace if {
	f := rule.findings with data.wavecheck.objects as fixtures.objects([cm(["CreateNamespace=true"])])
	f == {{"index": 0, "msg": "sync option \"CreateNamespace=true\" only works in the Application's syncPolicy: on a resource it is ignored"}}
}

test_silent_on_resource_option if {
	count(rule.findings) == 0 with data.wavecheck.objects as fixtures.objects([cm(["ServerSideApply=true"])])
}
