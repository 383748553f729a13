# Unit tests of the conftest port (conftest verify -p test/bench/conftest-policy). Inputs have
# the --combine shape: [{"path", "contents"}].
package main

job(name, ann, spec) := {
	"apiVersion": "batch/v1", "kind": "Job",
	"metadata": {"name": name, "annotations": ann},
	"spec": spec,
}

cm(name, ann) := {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "annotations": ann}}

combined(objs) := [{"path": "m.yaml", "contents": o} | some o in objs]

has_rule(set, rule) if {
	some m in set
	startswith(m, sprintf("%s: ", [rule]))
}

bounded := {"backoffLimit": 1, "activeDeadlineSeconds": 60, "template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "x"}]}}}

test_sync_wave_not_integer if {
	has_rule(deny, "sync-wave-not-integer") with input as combined([cm("a", {"argocd.argoproj.io/sync-wave": "1.5"})])
}

test_integer_wave_clean if {
	count(deny) == 0 with input as combined([cm("a", {"argocd.argoproj.io/sync-wave": "-3"})])
	count(warn) == 0 with input as combined([cm("a", {"argocd.argoproj.io/sync-wave": "-3"})])
}

test_hook_unknown_type if {
	has_rule(deny, "hook-unknown-type") with input as combined([job("j", {"argocd.argoproj.io/hook": "Presync"}, bounded)])
}

test_hook_delete_policy_unknown if {
	has_rule(deny, "hook-delete-policy-unknown") with input as combined([job("j", {"argocd.argoproj.io/hook": "PreSync", "argocd.argoproj.io/hook-delete-policy": "hook-succeeded"}, bounded)])
}

test_hook_named_without_recreate if {
	has_rule(warn, "hook-named-without-recreate") with input as combined([job("j", {"argocd.argoproj.io/hook": "PreSync", "argocd.argoproj.io/hook-delete-policy": "HookSucceeded"}, bounded)])
}

test_hook_named_default_policy_clean if {
	not has_rule(warn, "hook-named-without-recreate") with input as combined([job("j", {"argocd.argoproj.io/hook": "PreSync"}, bounded)])
}

test_hook_job_unbounded if {
	has_rule(warn, "hook-job-unbounded") with input as combined([job("j", {"argocd.argoproj.io/hook": "PreSync"}, {"template": bounded.template})])
}

test_sync_option_unknown if {
	has_rule(warn, "sync-option-unknown") with input as combined([cm("a", {"argocd.argoproj.io/sync-options": "Prune=False"})])
}

test_app_level_sync_option_not_unknown if {
	not has_rule(warn, "sync-option-unknown") with input as combined([cm("a", {"argocd.argoproj.io/sync-options": "CreateNamespace=true"})])
}

test_duplicate_object if {
	has_rule(deny, "duplicate-object") with input as combined([cm("a", {}), cm("a", {}), cm("b", {})])
}

test_cr_without_crd if {
	has_rule(warn, "cr-without-crd") with input as combined([{"apiVersion": "example.com/v1", "kind": "W", "metadata": {"name": "w"}}])
}

test_cr_with_crd_clean if {
	crd := {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": {"name": "ws.example.com"}, "spec": {"group": "example.com", "names": {"kind": "W"}}}
	not has_rule(warn, "cr-without-crd") with input as combined([crd, {"apiVersion": "example.com/v1", "kind": "W", "metadata": {"name": "w"}}])
}

uses_cm := object.union(bounded, {"template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "x", "envFrom": [{"configMapRef": {"name": "cfg"}}]}]}}})

test_hook_depends_on_later if {
	has_rule(deny, "hook-depends-on-later") with input as combined([job("j", {"argocd.argoproj.io/hook": "PreSync"}, uses_cm), cm("cfg", {})])
}

test_hook_depends_on_earlier_clean if {
	not has_rule(deny, "hook-depends-on-later") with input as combined([job("j", {"argocd.argoproj.io/hook": "PostSync"}, uses_cm), cm("cfg", {})])
}

test_non_string_annotations_dropped if {
	# An int annotation value makes Argo CD drop every annotation: the hook is a plain resource.
	not has_rule(warn, "hook-named-without-recreate") with input as combined([job("j", {"argocd.argoproj.io/hook": "PreSync", "argocd.argoproj.io/hook-delete-policy": "HookSucceeded", "x": 1}, bounded)])
}
