package wavecheck.rules.annotation_not_string_test

import data.wavecheck.fixtures
import data.wavecheck.rules.annotation_not_string as rule

unquoted := fixtures.obj({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "annotations": {"argocd.argoproj.io/sync-wave": 5}}}, {"nonStringAnnotations": ["argocd.argoproj.io/sync-wave"], "annotationsDropped": true})

refused := "annotation argocd.argoproj.io/sync-wave is number 5, not a string: with annotation tracking Argo CD refuses the whole app (ComparisonError \"failed to set app instance tracking info on manifest\") and nothing syncs"

dropped := "annotation argocd.argoproj.io/sync-wave is number 5, not a string: Argo CD drops every annotation of this object"

# Argo CD 3.x defaults to annotation tracking: the whole app is refused.
test_default_tracking_refuses_the_app if {
	f := rule.findings with data.wavecheck.objects as fixtures.objects([unquoted])
	f == {{"index": 0, "msg": refused}}
}

test_annotation_and_label_refuses_the_app if {
	f := rule.findings with data.wavecheck.objects as fixtures.objects([unquoted])
		with data.wavecheck.tracking_method as "annotation+label"
	f == {{"index": 0, "msg": replace(refused, "with annotation tracking", "with annotation+label tracking")}}
}

test_label_tracking_drops_annotations if {
	f := rule.findings with data.wavecheck.objects as fixtures.objects([unquoted])
		with data.wavecheck.tracking_method as "label"
	f == {{"index": 0, "msg": dropped}}
}

# Before 3.0 the default was label tracking.
test_old_version_defaults_to_label if {
	f := rule.findings with data.wavecheck.objects as fixtures.objects([unquoted])
		with data.wavecheck.argocd_version as fixtures.version(2, 14)
	f == {{"index": 0, "msg": dropped}}
}

# CRDs are never tracked, so they keep the silent drop under annotation tracking.
test_crd_is_not_tracked if {
	crd := fixtures.obj({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": {"name": "x.example.com", "annotations": {"argocd.argoproj.io/sync-wave": 5}}}, {"nonStringAnnotations": ["argocd.argoproj.io/sync-wave"], "annotationsDropped": true})
	f := rule.findings with data.wavecheck.objects as fixtures.objects([crd])
	f == {{"index": 0, "msg": dropped}}
}

test_silent_on_quoted if {
	o := fixtures.obj({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "annotations": {"argocd.argoproj.io/sync-wave": "5"}}}, {})
	count(rule.findings) == 0 with data.wavecheck.objects as fixtures.objects([o])
}
