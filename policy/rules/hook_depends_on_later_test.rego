package wavecheck.rules.hook_depends_on_later_test

import data.wavecheck.fixtures
import data.wavecheck.rules.hook_depends_on_later as rule

job := fixtures.obj({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "migrate", "namespace": "app"}, "spec": {"template": {"spec": {
	"serviceAccountName": "migrator",
	"containers": [{"name": "m", "envFrom": [{"secretRef": {"name": "db"}}]}],
}}}}, fixtures.hook("PreSync", 0))

sa(facts) := fixtures.obj({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "migrator", "namespace": "app"}}, facts)

secret(facts) := fixtures.obj({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db", "namespace": "app"}}, facts)

lookup := {"/Job/app/migrate": [0], "/ServiceAccount/app/migrator": [1], "/Secret/app/db": [2]}

test_fires_on_sync_phase_dependencies if {
	objs := fixtures.objects([job, sa({}), secret(fixtures.hook("PreSync", 1))])
	f := rule.findings with data.wavecheck.objects as objs with data.wavecheck.lookup as lookup
	f == {
		{"index": 0, "msg": "hook in PreSync wave 0 uses ServiceAccount/migrator, which Argo CD creates later (Sync wave 0)"},
		{"index": 0, "msg": "hook in PreSync wave 0 uses Secret/db, which Argo CD creates later (PreSync wave 1)"},
	}
}

test_silent_when_dependencies_come_first if {
	objs := fixtures.objects([job, sa(fixtures.hook("PreSync", -1)), secret(fixtures.hook("PreSync", 0))])
	count(rule.findings) == 0 with data.wavecheck.objects as objs with data.wavecheck.lookup as lookup
}

test_silent_on_unknown_dependencies if {
	count(rule.findings) == 0 with data.wavecheck.objects as fixtures.objects([job]) with data.wavecheck.lookup as {}
}
