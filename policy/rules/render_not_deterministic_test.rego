package wavecheck.rules.render_not_deterministic_test

import data.wavecheck.fixtures
import data.wavecheck.rules.render_not_deterministic as rule

secret(unstable) := object.union(fixtures.obj({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}}, {}), {"unstable": unstable})

test_fires_on_fields if {
	f := rule.findings with data.wavecheck.objects as fixtures.objects([secret(["data.password", "data.token"])])
	f == {{"index": 0, "msg": "renders differently every time (data.password, data.token): Argo CD shows the app OutOfSync forever"}}
}

test_fires_on_name if {
	f := rule.findings with data.wavecheck.objects as fixtures.objects([secret(["metadata.name"])])
	f == {{"index": 0, "msg": "its name differs on every render: Argo CD sees a new object (and prunes the old one) on every refresh"}}
}

test_silent_when_stable if {
	count(rule.findings) == 0 with data.wavecheck.objects as fixtures.objects([secret([])])
}
