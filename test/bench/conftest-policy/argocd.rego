# Argo CD's view of the rendered objects, computed in Rego: what wavecheck's Go fact builder
# (policy/argocd) hands its built-in rules precomputed, a conftest user has to derive in the
# policy itself. Written for `conftest test --combine`: input is the array of
# {"path", "contents"} entries, one per YAML document.
package argocd

hook_annotation := "argocd.argoproj.io/hook"

helm_hook_annotation := "helm.sh/hook"

sync_hook_types := {"PreSync", "Sync", "PostSync", "SyncFail", "Skip"}

helm_hook_types := {
	"crd-install": "PreSync", "pre-install": "PreSync", "pre-upgrade": "PreSync",
	"post-install": "PostSync", "post-upgrade": "PostSync",
}

phase_order := {"PreSync": -1, "Sync": 0, "PostSync": 1, "SyncFail": 2}

helm_delete_policies := {"hook-succeeded": "HookSucceeded", "hook-failed": "HookFailed", "before-hook-creation": "BeforeHookCreation"}

# objects are the rendered Kubernetes objects with their file and index, built once per query.
objects := [o |
	some i, c in input
	is_object(c.contents)
	o := {"index": i, "path": c.path, "object": c.contents, "key": key(c.contents), "facts": facts(c.contents)}
]

# raw_annotations are the annotations as rendered (values may be non-strings).
raw_annotations(obj) := a if {
	a := obj.metadata.annotations
	is_object(a)
} else := {}

# annotations as Argo CD reads them: none at all when any value is not a string
# (unstructured.GetAnnotations fails and returns nil).
annotations(obj) := {} if {
	some v in raw_annotations(obj)
	not is_string(v)
} else := raw_annotations(obj)

# csv splits an annotation value like gitops-engine: by comma, trimmed, empties dropped.
csv(s) := [v | some item in split(s, ","); v := trim_space(item); v != ""]

atoi(s) := n if {
	regex.match(`^[+-]?[0-9]+$`, s)
	n := to_number(s)
}

group(api_version) := g if {
	contains(api_version, "/")
	parts := split(api_version, "/")
	g := concat("/", array.slice(parts, 0, count(parts) - 1))
} else := ""

name(obj) := n if {
	n := obj.metadata.name
	n != ""
} else := sprintf("%s*", [obj.metadata.generateName]) if {
	obj.metadata.generateName != ""
} else := ""

ref(obj) := sprintf("%s/%s", [obj.kind, name(obj)])

facts(obj) := f if {
	ann := annotations(obj)
	argocd_values := csv(object.get(ann, hook_annotation, ""))
	helm_values := csv(object.get(ann, helm_hook_annotation, ""))
	types := hook_types(argocd_values, helm_values)
	skip := types == ["Skip"]
	hook := is_hook(ann, skip)
	f := {
		"annotations": ann,
		"argocd_hook_values": argocd_values,
		"hook": hook,
		"skip": skip,
		"phases": phases(hook, skip, types),
		"wave": wave(ann),
		"delete_policies": delete_policies(ann),
		"delete_policies_defaulted": count(explicit_delete_policies(ann)) == 0,
		"sync_options": csv(object.get(ann, "argocd.argoproj.io/sync-options", "")),
	}
}

hook_types(argocd_values, helm_values) := t if {
	t := [v | some v in argocd_values; v in sync_hook_types]
	count(t) > 0
} else := [helm_hook_types[v] | some v in helm_values; helm_hook_types[v]]

# gitops-engine hook.IsHook.
is_hook(ann, skip) := false if {
	hook_annotation in object.keys(ann)
	skip
} else if hook_annotation in object.keys(ann)

else if {
	v := ann[helm_hook_annotation]
	v != "crd-install"
} else := false

phases(hook, skip, types) := [] if skip

else := [p | some p in ["PreSync", "Sync", "PostSync", "SyncFail"]; p in types] if hook

else := ["Sync"]

wave(ann) := w if {
	w := atoi(ann["argocd.argoproj.io/sync-wave"])
} else := w if {
	w := atoi(ann["helm.sh/hook-weight"])
} else := 0

explicit_delete_policies(ann) := array.concat(
	[v | some v in csv(object.get(ann, "argocd.argoproj.io/hook-delete-policy", "")); v in {"HookSucceeded", "HookFailed", "BeforeHookCreation"}],
	[helm_delete_policies[v] | some v in csv(object.get(ann, "helm.sh/hook-delete-policy", "")); helm_delete_policies[v]],
)

delete_policies(ann) := p if {
	p := explicit_delete_policies(ann)
	count(p) > 0
} else := ["BeforeHookCreation"]

# first_step is the earliest phase and wave the object is applied in.
first_step(o) := {"phase": o.facts.phases[0], "wave": o.facts.wave} if count(o.facts.phases) > 0

step_before(a, b) if phase_order[a.phase] < phase_order[b.phase]

step_before(a, b) if {
	a.phase == b.phase
	a.wave < b.wave
}

step_string(s) := sprintf("%s wave %d", [s.phase, s.wave])

# by_key groups the object indexes by group/kind/namespace/name, built once per query (OPA
# indexes the inner comprehension, so this stays linear).
by_key := {k: idx |
	some o in objects
	k := o.key
	idx := [p.index | some p in objects; p.key == k]
}

key(obj) := sprintf("%s/%s/%s/%s", [group(obj.apiVersion), obj.kind, object.get(obj.metadata, "namespace", ""), name(obj)])

pod_spec(obj) := obj.spec if obj.kind == "Pod"

pod_spec(obj) := obj.spec.jobTemplate.spec.template.spec if obj.kind == "CronJob"

pod_spec(obj) := obj.spec.template.spec if {
	not obj.kind in {"Pod", "CronJob"}
	is_object(obj.spec.template.spec)
}
