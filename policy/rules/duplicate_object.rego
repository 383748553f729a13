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

import data.wavecheck.lib

# Each object of lib.duplicates but the first of its key is reported.
findings contains f if {
	some o in lib.duplicates
	idx := data.wavecheck.lookup[lib.lookup_key(o)]
	o.index != idx[0]
	first := data.wavecheck.objects[idx[0]]
	f := {"index": o.index, "msg": sprintf("%s is defined %d times (first at %s): Argo CD applies only one", [o.ref, count(idx), location(first)])}
}

location(o) := sprintf("%s:%d", [o.source.file, o.source.line]) if o.source.line > 0

else := o.source.file
