package main

deployment(labels, replicas) := {
	"kind": "Deployment",
	"metadata": {"name": "web", "labels": labels},
	"spec": {
		"replicas": replicas,
		"template": {"spec": {"containers": [{"name": "web", "image": "web:1.0", "securityContext": {"runAsNonRoot": true}}]}},
	},
}

test_good_deployment_passes if {
	count(deny) == 0 with input as deployment({"team": "a", "tier": "web"}, 3)
	count(violation) == 0 with input as deployment({"team": "a", "tier": "web"}, 3)
		with data.required_labels as ["team", "tier"]
}

test_missing_labels_violate if {
	vs := violation with input as deployment({"team": "a"}, 3) with data.required_labels as ["team", "tier"]
	some v in vs
	v.details.missing == ["tier"]
}

test_low_replicas_warn if {
	count(warn_replicas) == 1 with input as deployment({}, 1) with data.min_replicas as 2
}
