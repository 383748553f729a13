package wavecheck.rules.object_without_name_test

import data.wavecheck.fixtures
import data.wavecheck.rules.object_without_name as rule

cm(metadata) := fixtures.obj({"apiVersion": "v1", "kind": "ConfigMap", "metadata": metadata}, {})

test_fires_without_name if {
	f := rule.findings with data.wavecheck.objects as fixtures.objects([cm({"namespace": "prod"})])
	f == {{"index": 0, "msg": "ConfigMap has neither metadata.name nor metadata.generateName: the API server refuses it"}}
}

test_fires_on_empty_name if {
	f := rule.findings with data.wavecheck.objects as fixtures.objects([cm({"name": "", "generateName": ""})])
	f == {{"index": 0, "msg": "ConfigMap has neither metadata.name nor metadata.generateName: the API server refuses it"}}
}

test_fires_on_null_name if {
	f := rule.findings with data.wavecheck.objects as fixtures.objects([cm({"name": null})])
	f == {{"index": 0, "msg": "ConfigMap has neither metadata.name nor metadata.generateName: the API server refuses it"}}
}

test_fires_on_boolean_name if {
	f := rule.findings with data.wavecheck.objects as fixtures.objects([cm({"name": true})])
	f == {{"index": 0, "msg": "ConfigMap has a boolean metadata.name (true), not a string: the API server refuses it"}}
}

test_fires_on_number_name_even_with_generate_name if {
	f := rule.findings with data.wavecheck.objects as fixtures.objects([cm({"name": 1000, "generateName": "x-"})])
	f == {{"index": 0, "msg": "ConfigMap has a number metadata.name (1000), not a string: the API server refuses it"}}
}

test_fires_on_null_metadata if {
	o := fixtures.obj({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {}}, {})
	nulled := object.union(o, {"object": {"apiVersion": "v1", "kind": "ConfigMap", "metadata": null}})
	f := rule.findings with data.wavecheck.objects as fixtures.objects([nulled])
	f == {{"index": 0, "msg": "ConfigMap has neither metadata.name nor metadata.generateName: the API server refuses it"}}
}

test_silent_on_named if {
	count(rule.findings) == 0 with data.wavecheck.objects as fixtures.objects([cm({"name": "a"})])
}

test_silent_on_generate_name if {
	count(rule.findings) == 0 with data.wavecheck.objects as fixtures.objects([cm({"generateName": "run-"})])
}
