package wavecheck.rules.annotation_not_string_test

import data.wavecheck.fixtures
import data.wavecheck.rules.annotation_not_string as rule

test_fires_on_unquoted_number if {
	o := fixtures.obj({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "annotations": {"argocd.argoproj.io/sync-wave": 5}}}, {"nonStringAnnotations": ["argocd.argoproj.io/sync-wave"], "annotationsDropped": true})
	f := rule.findings with data.wavecheck.objects as fixtures.objects([o])
	f == {{"index": 0, "msg": "annotation argocd.argoproj.io/sync-wave is number 5, not a string: Argo CD drops every annotation of this object"}}
}

test_silent_on_quoted if {
	o := fixtures.obj({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "annotations": {"argocd.argoproj.io/sync-wave": "5"}}}, {})
	count(rule.findings) == 0 with data.wavecheck.objects as fixtures.objects([o])
}
