package wavecheck.rules.application_wave_health_test

import data.wavecheck.fixtures
import data.wavecheck.rules.application_wave_health as rule

app(facts) := fixtures.obj({"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", "metadata": {"name": "a", "annotations": {"argocd.argoproj.io/sync-wave": "1"}}}, facts)

test_fires_with_wave if {
	f := rule.findings with data.wavecheck.objects as fixtures.objects([app({"wave": 1, "waveSource": "sync-wave"})])
	f == {{"index": 0, "msg": "Application in sync wave 1: later waves do not wait for its health unless the Application health check is enabled"}}
}

test_silent_without_wave if {
	count(rule.findings) == 0 with data.wavecheck.objects as fixtures.objects([app({})])
}
