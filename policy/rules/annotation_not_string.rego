# METADATA
# title: Annotation value is not a string
# description: |-
#   Kubernetes annotation values are strings. When YAML leaves a value unquoted (5, true), what
#   Argo CD does depends on its resource tracking method. With annotation tracking (the default
#   since Argo CD 3.0) or annotation+label, the repo-server cannot add its tracking annotation:
#   it refuses the whole app (ComparisonError "failed to set app instance tracking info on
#   manifest: ... contains non-string value in the map under key ...") and nothing syncs. With
#   label tracking (the default before 3.0), and on CRDs (never tracked), Argo CD's unstructured
#   GetAnnotations() fails and returns no annotations at all: every Argo CD annotation on the
#   object (hook, sync-wave, sync-options...) silently vanishes. Set --tracking-method to what
#   argocd-cm application.resourceTrackingMethod says.
# related_resources:
# - ref: https://github.com/argoproj/argo-cd/issues/13730
# custom:
#   id: annotation-not-string
#   severity: error
#   hint: 'Quote the value, e.g. argocd.argoproj.io/sync-wave: "5".'
package wavecheck.rules.annotation_not_string

import data.wavecheck.lib

findings contains f if {
	some o in lib.raw_issues
	some k in o.argocd.nonStringAnnotations
	v := lib.raw_annotations(o)[k]
	f := {"index": o.index, "msg": sprintf("annotation %s is %s %v, not a string: %s", [k, type_name(v), v, effect(o)])}
}

# effect follows Argo CD's code: util/argo/resource_tracking.go SetAppInstance (annotation
# tracking reads the annotations with kube.SetAppInstanceAnnotation, which fails on a
# non-string value) called by reposerver/repository/repository.go for every object but CRDs.
# A null value (an empty YAML value, `key:`) reads as "" everywhere except in the repo-server's
# annotation tracking, which refuses it like any other non-string value.
findings contains f if {
	some o in lib.raw_issues
	lib.tracks_by_annotation
	not is_crd(o)
	some k in o.argocd.nullAnnotations
	f := {"index": o.index, "msg": sprintf("annotation %s is null (an empty YAML value), not a string: with %s tracking Argo CD refuses the whole app (ComparisonError \"failed to set app instance tracking info on manifest\") and nothing syncs; quote it: \"\"", [k, lib.tracking_method])}
}

findings contains f if {
	some o in lib.raw_issues
	o.argocd.annotationsNotMap
	f := {"index": o.index, "msg": sprintf("metadata.annotations is %s, not a map: %s", [type_name(o.object.metadata.annotations), not_map_effect(o)])}
}

not_map_effect(o) := sprintf("with %s tracking Argo CD refuses the whole app (ComparisonError \"failed to set app instance tracking info on manifest\") and nothing syncs", [lib.tracking_method]) if {
	lib.tracks_by_annotation
	not is_crd(o)
} else := "Argo CD reads no annotations of this object"

effect(o) := sprintf("with %s tracking Argo CD refuses the whole app (ComparisonError \"failed to set app instance tracking info on manifest\") and nothing syncs", [lib.tracking_method]) if {
	lib.tracks_by_annotation
	not is_crd(o)
} else := "Argo CD drops every annotation of this object"

is_crd(o) if {
	o.object.kind == "CustomResourceDefinition"
	o.group == "apiextensions.k8s.io"
}
