# METADATA
# title: Duplicate object
# description: |-
#   Two rendered objects with the same group, kind, namespace and name are one resource for
#   Argo CD: only one of them is applied (which one depends on rendering order), the app shows
#   "Resource appeared N times" and stays out of sync when they differ.
# related_resources:
# - ref: https://github.com/argoproj/argo-cd/issues/1070
# custom:
#   id: duplicate-object
#   severity: error
#   hint: Remove or rename one of the objects (check overlapping Kustomize bases or Helm templates).
package wavecheck.rules.duplicate_object

findings contains f if {
	some key, idx in data.wavecheck.lookup
	count(idx) > 1
	first := data.wavecheck.objects[idx[0]]
	some i in array.slice(idx, 1, count(idx))
	o := data.wavecheck.objects[i]
	f := {"index": i, "msg": sprintf("%s is defined %d times (first at %s): Argo CD applies only one", [o.ref, count(idx), location(first)])}
}

location(o) := sprintf("%s:%d", [o.source.file, o.source.line]) if o.source.line > 0

else := o.source.file
