# Helpers shared by the policies, imported as data.lib.k8s.
package lib.k8s

workload_kinds := {"Deployment", "StatefulSet", "DaemonSet", "Job"}

is_workload if input.kind in workload_kinds

name := sprintf("%s/%s", [input.kind, input.metadata.name])

containers contains c if {
	is_workload
	some c in input.spec.template.spec.containers
}

containers contains c if {
	input.kind == "Pod"
	some c in input.spec.containers
}
