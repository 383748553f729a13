# METADATA
# title: Annotation value is not a string
# description: |-
#   Kubernetes annotation values are strings. When YAML leaves a value unquoted (5, true),
#   Argo CD's unstructured GetAnnotations() fails and returns no annotations at all: every
#   Argo CD annotation on the object (hook, sync-wave, sync-options...) silently vanishes.
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
	f := {"index": o.index, "msg": sprintf("annotation %s is %s %v, not a string: Argo CD drops every annotation of this object", [k, type_name(v), v])}
}
