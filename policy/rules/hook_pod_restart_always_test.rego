package wavecheck.rules.hook_pod_restart_always_test

import data.wavecheck.fixtures
import data.wavecheck.rules.hook_pod_restart_always as rule

pod(spec) := fixtures.obj({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": spec}, fixtures.hook("PostSync", 0))

test_fires_on_default_policy if {
	f := rule.findings with data.wavecheck.objects as fixtures.objects([pod({"containers": []})])
	f == {{"index": 0, "msg": "hook Pod has restartPolicy Always (the default): it restarts after exiting and never completes"}}
}

test_silent_on_never if {
	count(rule.findings) == 0 with data.wavecheck.objects as fixtures.objects([pod({"restartPolicy": "Never"})])
}
