package wavecheck.rules.cr_without_crd_test

import data.wavecheck.fixtures
import data.wavecheck.rules.cr_without_crd as rule

widget(facts) := fixtures.obj({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}}, facts)

crd := object.union(fixtures.obj({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": {"name": "widgets.example.com"}, "spec": {"group": "example.com", "names": {"kind": "Widget"}}}, {}), {"group": "apiextensions.k8s.io"})

test_fires_without_crd if {
	f := rule.findings with data.wavecheck.objects as fixtures.objects([widget({})])
	f == {{"index": 0, "msg": "example.com/Widget has no CRD in the app: the sync fails at the dry run unless the CRD is already installed"}}
}

test_silent_with_crd if {
	count(rule.findings) == 0 with data.wavecheck.objects as fixtures.objects([widget({}), crd])
}

test_silent_with_skip_dry_run if {
	count(rule.findings) == 0 with data.wavecheck.objects as fixtures.objects([widget({"syncOptions": ["SkipDryRunOnMissingResource=true"]})])
}

test_silent_on_core_kinds if {
	o := object.union(fixtures.obj({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}}, {}), {"group": "apps"})
	count(rule.findings) == 0 with data.wavecheck.objects as fixtures.objects([o])
}

test_silent_with_app_level_skip_dry_run if {
	count(rule.findings) == 0 with data.wavecheck.objects as fixtures.objects([widget({})])
		with data.wavecheck.app as {"syncOptions": ["SkipDryRunOnMissingResource=true"]}
}

test_fires_with_other_app_level_options if {
	count(rule.findings) == 1 with data.wavecheck.objects as fixtures.objects([widget({})])
		with data.wavecheck.app as {"syncOptions": ["CreateNamespace=true"]}
}
