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

null_value := fixtures.obj({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "annotations": {"example.com/empty": null}}}, {"nullAnnotations": ["example.com/empty"]})

# Regression: a null annotation value passed, while annotation tracking refuses the app.
test_null_value_refused_with_annotation_tracking if {
	f := rule.findings with data.wavecheck.objects as fixtures.objects([null_value])
	f == {{"index": 0, "msg": "annotation example.com/empty is null (an empty YAML value), not a string: with annotation tracking Argo CD refuses the whole app (ComparisonError \"failed to set app instance tracking info on manifest\") and nothing syncs; quote it: \"\""}}
}

# With label tracking a null value is read as "" and nothing happens.
test_null_value_fine_with_label_tracking if {
	f := rule.findings with data.wavecheck.objects as fixtures.objects([null_value])
		with data.wavecheck.tracking_method as "label"
	count(f) == 0
}

# Regression: annotations given as a list passed, while annotation tracking refuses the app.
test_annotations_not_a_map if {
	o := fixtures.obj({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "annotations": ["a"]}}, {"annotationsNotMap": true})
	f := rule.findings with data.wavecheck.objects as fixtures.objects([o])
	f == {{"index": 0, "msg": "metadata.annotations is array, not a map: with annotation tracking Argo CD refuses the whole app (ComparisonError \"failed to set app instance tracking info on manifest\") and nothing syncs"}}
}
