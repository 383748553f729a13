# METADATA
# title: Object without a name
# description: |-
#   The API server refuses an object whose metadata.name is missing, empty or not a string
#   unless it has a metadata.generateName ("name or generateName is required"; a boolean or
#   number name does not even decode into ObjectMeta). Argo CD's sync fails on that object, and
#   the objects of later waves are never applied. YAML turns an unquoted name such as true, no
#   or 1e3 into a boolean or a number.
# related_resources:
# - ref: https://kubernetes.io/docs/concepts/overview/working-with-objects/names/
# custom:
#   id: object-without-name
#   severity: error
#   hint: 'Set metadata.name to a string, quoted when YAML would read it as something else (name: "true").'
package wavecheck.rules.object_without_name

import data.wavecheck.lib

# Only objects of lib.unnamed (no metadata.name that is a non-empty string) can be reported.
findings contains f if {
	some o in lib.unnamed
	problem := name_problem(meta(o.object))
	f := {"index": o.index, "msg": sprintf("%s %s: the API server refuses it", [kind(o.object), problem])}
}

# metadata: null (or a non-map) is read as an empty map, like Argo CD's unstructured getters.
meta(obj) := m if {
	m := obj.metadata
	is_object(m)
} else := {}

kind(obj) := k if {
	k := obj.kind
	is_string(k)
	k != ""
} else := "object"

name_problem(m) := sprintf("has a %s metadata.name (%s), not a string", [type_name(m.name), json.marshal(m.name)]) if {
	not is_string(m.name)
	not is_null(m.name)
} else := "has neither metadata.name nor metadata.generateName" if {
	not has_string(m, "name")
	not has_string(m, "generateName")
}

has_string(m, key) if {
	v := m[key]
	is_string(v)
	v != ""
}
