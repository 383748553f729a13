package wavecheck.rules.sync_option_conflict_test

import data.wavecheck.fixtures
import data.wavecheck.rules.sync_option_conflict as rule

cm(opts, facts) := fixtures.obj({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "annotations": {"argocd.argoproj.io/sync-options": concat(",", opts)}}}, object.union({"syncOptions": opts}, facts))

test_fires_on_prune_false_prune_last if {
	f := rule.findings with data.wavecheck.objects as fixtures.objects([cm(["Prune=false", "PruneLast=true"], {})])
	f == {{"index": 0, "msg": "sync options Prune=false and PruneLast=true conflict: a resource that is never pruned is not pruned last"}}
}

test_fires_on_prune_last_hook if {
	f := rule.findings with data.wavecheck.objects as fixtures.objects([cm(["PruneLast=true"], fixtures.hook("PostSync", 0))])
	f == {{"index": 0, "msg": "sync option PruneLast=true on a hook does nothing: hooks are not pruned"}}
}

test_silent_on_prune_last if {
	count(rule.findings) == 0 with data.wavecheck.objects as fixtures.objects([cm(["PruneLast=true"], {})])
}
