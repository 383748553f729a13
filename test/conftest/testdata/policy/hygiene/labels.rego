# A second package, evaluated with --namespace hygiene or --all-namespaces.
package hygiene

warn contains msg if {
	not input.metadata.labels["app.kubernetes.io/name"]
	msg := sprintf("%s/%s: no app.kubernetes.io/name label", [input.kind, input.metadata.name])
}

deny contains {"msg": msg} if {
	input.kind == "ConfigMap"
	some k, v in input.data
	contains(lower(k), "password")
	msg := sprintf("ConfigMap/%s: key %q looks like a secret (value of %d bytes)", [input.metadata.name, k, count(v)])
}
