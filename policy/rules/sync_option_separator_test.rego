package wavecheck.rules.sync_option_separator_test

import data.wavecheck.fixtures
import data.wavecheck.rules.sync_option_separator as rule
import data.wavecheck.rules.sync_option_unknown as unknown

cm(value) := fixtures.obj({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "annotations": {"argocd.argoproj.io/sync-options": value}}}, {"syncOptions": fixtures.csv(value)})

test_fires_on_semicolon if {
	f := rule.findings with data.wavecheck.objects as fixtures.objects([cm("Prune=false; PruneLast=true")])
	f == {{"index": 0, "msg": "sync options \"Prune=false; PruneLast=true\" are one value to Argo CD, which splits them only on commas: Prune=false and PruneLast=true are ignored (write \"Prune=false,PruneLast=true\")"}}
}

test_fires_on_spaces_next_to_a_good_option if {
	f := rule.findings with data.wavecheck.objects as fixtures.objects([cm("Validate=false, ServerSideApply=true Replace=true")])
	f == {{"index": 0, "msg": "sync options \"ServerSideApply=true Replace=true\" are one value to Argo CD, which splits them only on commas: ServerSideApply=true and Replace=true are ignored (write \"ServerSideApply=true,Replace=true\")"}}
}

test_unknown_rule_leaves_it_to_this_one if {
	count(unknown.findings) == 0 with data.wavecheck.objects as fixtures.objects([cm("Prune=false;PruneLast=true")])
}

test_silent_on_commas if {
	count(rule.findings) == 0 with data.wavecheck.objects as fixtures.objects([cm("Prune=false, PruneLast=true")])
}

test_silent_on_spaced_single_option if {
	# "Validate = false" is one misspelt option (sync-option-unknown suggests Validate=false).
	count(rule.findings) == 0 with data.wavecheck.objects as fixtures.objects([cm("Validate = false")])
}
