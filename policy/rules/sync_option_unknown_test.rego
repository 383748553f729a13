package wavecheck.rules.sync_option_unknown_test

import data.wavecheck.fixtures
import data.wavecheck.rules.sync_option_unknown as rule

cm(opts) := fixtures.obj({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "annotations": {"argocd.argoproj.io/sync-options": concat(",", opts)}}}, {"syncOptions": opts})

test_fires_on_wrong_case if {
	f := rule.findings with data.wavecheck.objects as fixtures.objects([cm(["prune=false"])])
	f == {{"index": 0, "msg": "unknown sync option \"prune=false\" (did you mean \"Prune=false\"?): Argo CD ignores it"}}
}

test_silent_on_known_and_app_level if {
	count(rule.findings) == 0 with data.wavecheck.objects as fixtures.objects([cm(["Prune=false", "SkipDryRunOnMissingResource=true", "CreateNamespace=true"])])
}
