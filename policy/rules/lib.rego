# Helpers shared by the built-in rules, usable by user policies too
# (import data.wavecheck.lib).
package wavecheck.lib

# argocd holds Argo CD's tables (hook types, Helm hook and delete policy spellings, delete
# policies, sync options, phase order, version gates, the latest version). wavecheck serves the
# one copy, defined in Go (internal/argocd/tables.go), as data.wavecheck.argocd; rules read them
# here instead of declaring their own.
argocd := data.wavecheck.argocd

# phase_order ranks sync phases as gitops-engine sorts them.
phase_order := argocd.phaseOrder

# version is the target Argo CD version ({major, minor, patch, string}): the latest one wavecheck
# models unless set.
version := v if {
	v := data.wavecheck.argocd_version
} else := argocd.latest

# version_at_least(major, minor) is true when the target Argo CD version is >= major.minor.
version_at_least(major, minor) if version.major > major

version_at_least(major, minor) if {
	version.major == major
	version.minor >= minor
}

# tracking_method is Argo CD's resource tracking method (argocd-cm
# application.resourceTrackingMethod: annotation, label or annotation+label): as configured
# (--tracking-method), else the target version's default (annotation since Argo CD 3.0).
tracking_method := m if {
	m := data.wavecheck.tracking_method
} else := argocd.trackingDefault.current if {
	supports(argocd.trackingDefault.since)
} else := argocd.trackingDefault.before

# tracks_by_annotation is true when Argo CD writes its tracking annotation on every rendered
# object (except CRDs), which needs every annotation value to be a string.
tracks_by_annotation if tracking_method in {m | some m in argocd.annotationTrackingMethods}

# supports(gate) is true when the target Argo CD version is at least the gate ({major, minor}),
# e.g. supports(argocd.hookFinalizerSince).
supports(gate) if version_at_least(gate.major, gate.minor)

# raw_annotations are the annotations exactly as rendered (values may be non-strings).
raw_annotations(o) := a if {
	a := o.object.metadata.annotations
	is_object(a)
} else := {}

# name of an object, or "<generateName>*".
name(o) := n if {
	n := o.object.metadata.name
	n != ""
} else := sprintf("%s*", [o.object.metadata.generateName]) if {
	o.object.metadata.generateName != ""
} else := ""

# applied is true when a sync applies the object in at least one step.
applied(o) if count(o.argocd.steps) > 0

# step_before(a, b) is true when step a runs strictly before step b.
step_before(a, b) if phase_order[a.phase] < phase_order[b.phase]

step_before(a, b) if {
	a.phase == b.phase
	a.wave < b.wave
}

# step_string renders a step as "PreSync wave 2".
step_string(s) := sprintf("%s wave %d", [s.phase, s.wave])

# pod_spec(obj) is the pod spec of a Pod or of a workload template.
pod_spec(obj) := obj.spec if obj.kind == "Pod"

pod_spec(obj) := obj.spec.jobTemplate.spec.template.spec if obj.kind == "CronJob"

pod_spec(obj) := obj.spec.template.spec if {
	not obj.kind in {"Pod", "CronJob"}
	is_object(obj.spec.template.spec)
}

# namespace_of(o) is the object's namespace, or the destination namespace.
namespace_of(o) := ns if {
	ns := o.object.metadata.namespace
	ns != ""
} else := dest_namespace

default dest_namespace := ""

# dest_namespace is the Application's destination namespace.
dest_namespace := data.wavecheck.namespace

# object_key(obj) is the key of a raw object in data.wavecheck.index.
object_key(obj) := sprintf("%s/%s/%s/%s", [group(obj.apiVersion), obj.kind, object.get(obj.metadata, "namespace", ""), raw_name(obj)])

raw_name(obj) := n if {
	n := obj.metadata.name
	n != ""
} else := sprintf("%s*", [obj.metadata.generateName]) if {
	obj.metadata.generateName != ""
} else := ""

group(api_version) := g if {
	contains(api_version, "/")
	parts := split(api_version, "/")
	g := concat("/", array.slice(parts, 0, count(parts) - 1))
} else := ""

# facts(obj) is the Argo CD view (data.wavecheck.objects[_].argocd) of a raw object given
# as input to a conftest-style rule.
facts(obj) := data.wavecheck.objects[data.wavecheck.index[object_key(obj)]].argocd

# csv splits an annotation value like Argo CD: by comma, trimmed, empty items dropped.
csv(s) := [v | some item in split(s, ","); v := trim_space(item); v != ""]

# misseparated_sync_options are the options inside one comma-separated sync-options item that
# uses ";" or spaces as a separator ("Prune=false; PruneLast=true"): at least two parts, each
# an option=value. Argo CD sees the item as one unknown option (sync-option-separator).
misseparated_sync_options(v) := parts if {
	regex.match(`[;\s]`, v)
	parts := [p | some p in regex.split(`[;\s]+`, v); p != ""]
	count(parts) > 1
	every p in parts {
		regex.match(`^[A-Za-z]+=\S+$`, p)
	}
}

# Candidate lists: the objects each family of rules needs to look at. wavecheck computes them
# in Go (data.wavecheck.sets, indices into data.wavecheck.objects) so that each rule does not
# scan every object; the else branch is the definition (used when sets are absent, as in
# unit tests), and TestCandidateSets checks that both agree.

# hooks are the objects Argo CD treats as hooks.
hooks := candidates("hooks") if data.wavecheck.sets.hooks
else := [o | some o in data.wavecheck.objects; o.argocd.hook]

# hook_annotated have an Argo CD or Helm hook annotation.
hook_annotated := candidates("hookAnnotated") if data.wavecheck.sets.hookAnnotated
else := [o | some o in data.wavecheck.objects; has_hook_annotation(o)]

has_hook_annotation(o) if o.argocd.annotations["argocd.argoproj.io/hook"]

has_hook_annotation(o) if o.argocd.annotations["helm.sh/hook"]

# delete_policy_annotated have an Argo CD or Helm hook delete policy annotation.
delete_policy_annotated := candidates("deletePolicy") if data.wavecheck.sets.deletePolicy
else := [o | some o in data.wavecheck.objects; has_delete_policy(o)]

has_delete_policy(o) if o.argocd.annotations["argocd.argoproj.io/hook-delete-policy"]

has_delete_policy(o) if o.argocd.annotations["helm.sh/hook-delete-policy"]

# sync_options_annotated have the sync-options annotation.
sync_options_annotated := candidates("syncOptions") if data.wavecheck.sets.syncOptions
else := [o | some o in data.wavecheck.objects; o.argocd.annotations["argocd.argoproj.io/sync-options"]]

# hook_weighted have the helm.sh/hook-weight annotation.
hook_weighted := candidates("hookWeight") if data.wavecheck.sets.hookWeight
else := [o | some o in data.wavecheck.objects; o.argocd.annotations["helm.sh/hook-weight"]]

# applications are Argo CD Application objects.
applications := candidates("applications") if data.wavecheck.sets.applications
else := [o | some o in data.wavecheck.objects; o.object.kind == "Application"; o.group == "argoproj.io"]

# raw_issues have a non-string or null annotation or a sync-wave strconv.Atoi rejects.
raw_issues := candidates("rawIssues") if data.wavecheck.sets.rawIssues
else := [o | some o in data.wavecheck.objects; has_raw_issue(o)]

has_raw_issue(o) if o.argocd.syncWaveInvalid

has_raw_issue(o) if o.argocd.annotationsDropped

has_raw_issue(o) if count(o.argocd.nullAnnotations) > 0

has_raw_issue(o) if o.argocd.annotationsNotMap

# moved are the objects Argo CD moves before a dependant (Namespace, CRD).
moved := candidates("moved") if data.wavecheck.sets.moved
else := [o | some o in data.wavecheck.objects; is_moved(o)]

is_moved(o) if {
	some s in o.argocd.steps
	s.moved
}

# generated_names have metadata.generateName and no metadata.name.
generated_names := candidates("generateName") if data.wavecheck.sets.generateName
else := [o | some o in data.wavecheck.objects; object.get(o.object.metadata, "generateName", "") != ""; object.get(o.object.metadata, "name", "") == ""]

# workloads are the objects, applied in the Sync phase and not hooks, whose health needs
# running pods: Argo CD's Sync phase (and so PostSync) waits for them to be healthy.
workloads := candidates("workloads") if data.wavecheck.sets.workloads
else := [o | some o in data.wavecheck.objects; is_workload(o)]

workload_kinds := {"apps/Deployment", "apps/StatefulSet", "apps/DaemonSet", "apps/ReplicaSet", "/Pod", "/ReplicationController", "batch/Job"}

is_workload(o) if {
	not o.argocd.hook
	"Sync" in o.argocd.syncPhases
	sprintf("%s/%s", [o.group, o.object.kind]) in workload_kinds
}

# unstable are the objects whose rendering differs between two renders (object.unstable, set
# by the determinism check).
unstable := candidates("unstable") if data.wavecheck.sets.unstable
else := [o | some o in data.wavecheck.objects; count(object.get(o, "unstable", [])) > 0]

candidates(name) := [data.wavecheck.objects[i] | some i in data.wavecheck.sets[name]]

# custom_resources are the objects whose API group is not built into Kubernetes.
custom_resources := candidates("customResources") if data.wavecheck.sets.customResources
else := [o | some o in data.wavecheck.objects; not o.group in builtin_groups]

# builtin_groups are the API groups built into Kubernetes (the Go copy is policy/data.go
# builtinGroups; TestCandidateSets checks both agree).
builtin_groups := {
	"", "admissionregistration.k8s.io", "apiextensions.k8s.io", "apiregistration.k8s.io", "apps",
	"authentication.k8s.io", "authorization.k8s.io", "autoscaling", "batch", "certificates.k8s.io",
	"coordination.k8s.io", "discovery.k8s.io", "events.k8s.io", "extensions",
	"flowcontrol.apiserver.k8s.io", "internal.apiserver.k8s.io", "networking.k8s.io", "node.k8s.io",
	"policy", "rbac.authorization.k8s.io", "resource.k8s.io", "scheduling.k8s.io", "storage.k8s.io",
	"storagemigration.k8s.io",
}

# unnamed are the objects whose metadata.name is missing, empty or not a string.
unnamed := candidates("unnamed") if data.wavecheck.sets.unnamed
else := [o | some o in data.wavecheck.objects; not has_name(o)]

has_name(o) if {
	n := o.object.metadata.name
	is_string(n)
	n != ""
}

# duplicates are the objects whose key in data.wavecheck.lookup is shared with another object.
duplicates := candidates("duplicates") if data.wavecheck.sets.duplicates
else := [o | some o in data.wavecheck.objects; count(object.get(data.wavecheck.lookup, lookup_key(o), [])) > 1]

# lookup_key(o) is the key of a named object in data.wavecheck.lookup: group, kind, namespace
# (the destination namespace when unset) and name, each "" when not a string (like
# policy/evaluate.go newEvaluation and manifest.Object's getters).
lookup_key(o) := sprintf("%s/%s/%s/%s", [o.group, string_or_empty(object.get(o.object, "kind", "")), ns, n]) if {
	meta := object_or_empty(object.get(o.object, "metadata", {}))
	n := string_or_empty(object.get(meta, "name", ""))
	n != ""
	ns := lookup_namespace(string_or_empty(object.get(meta, "namespace", "")))
}

lookup_namespace(ns) := ns if ns != ""

else := dest_namespace

string_or_empty(x) := x if is_string(x)

else := ""

object_or_empty(x) := x if is_object(x)

else := {}
