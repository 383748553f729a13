# A conftest-style policy directory: package main, deny / violation / warn rules (also with
# a _suffix, as conftest allows), a helper package and a data file. wavecheck must run it
# unchanged and agree with conftest on every result.
package main

import data.lib.k8s

deny contains msg if {
	some c in k8s.containers
	not c.securityContext.runAsNonRoot
	msg := sprintf("%s: container %q must set securityContext.runAsNonRoot", [k8s.name, c.name])
}

deny_latest_tag contains msg if {
	some c in k8s.containers
	endswith(c.image, ":latest")
	msg := sprintf("%s: container %q uses the mutable tag latest", [k8s.name, c.name])
}

violation contains {"msg": msg, "details": {"missing": missing}} if {
	k8s.is_workload
	missing := sort([l | some l in data.required_labels; not input.metadata.labels[l]])
	count(missing) > 0
	msg := sprintf("%s: missing required labels %v", [k8s.name, missing])
}

warn contains msg if {
	input.kind == "Service"
	input.spec.type == "LoadBalancer"
	msg := sprintf("%s: a LoadBalancer Service exposes the app outside the cluster", [k8s.name])
}

warn_replicas contains msg if {
	input.kind == "Deployment"
	input.spec.replicas < data.min_replicas
	msg := sprintf("%s: %d replica(s), want at least %d", [k8s.name, input.spec.replicas, data.min_replicas])
}

# conftest exceptions: the migration Job may use the latest tag (deny_latest_tag is dropped
# for it, and reported as an exception).
exception contains rules if {
	input.kind == "Job"
	input.metadata.name == "migrate"
	rules := ["latest_tag"]
}
