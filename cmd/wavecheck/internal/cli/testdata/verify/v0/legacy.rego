# A pre-1.0 conftest policy (Rego v0 syntax: no "if", no "contains").
package main

deny[msg] {
	input.kind == "ConfigMap"
	msg := sprintf("ConfigMap %s: legacy policy says no", [input.metadata.name])
}
