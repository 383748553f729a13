# A conftest port of nine of wavecheck's built-in rules (policy/rules): the same checks on the
# same Argo CD semantics, as deny (wavecheck severity error) and warn (severity warning) rules.
# Run with `conftest test --combine`: three rules need the whole object set.
package main

import data.argocd

msg(rule, o, text) := sprintf("%s: %s: %s (%s)", [rule, argocd.ref(o.object), text, o.path])

# sync-wave-not-integer (error)
deny contains m if {
	some o in argocd.objects
	v := argocd.raw_annotations(o.object)["argocd.argoproj.io/sync-wave"]
	is_string(v)
	not argocd.atoi(v)
	m := msg("sync-wave-not-integer", o, sprintf("sync-wave %q is not an integer: Argo CD uses wave %d", [v, o.facts.wave]))
}

# hook-unknown-type (error)
known_hook_types := {"PreSync", "Sync", "PostSync", "SyncFail", "Skip", "PostDelete", "PreDelete"}

deny contains m if {
	some o in argocd.objects
	some v in o.facts.argocd_hook_values
	not v in known_hook_types
	m := msg("hook-unknown-type", o, sprintf("unknown hook type %q", [v]))
}

# hook-delete-policy-unknown (error)
deny contains m if {
	some o in argocd.objects
	some v in argocd.csv(object.get(o.facts.annotations, "argocd.argoproj.io/hook-delete-policy", ""))
	not v in {"HookSucceeded", "HookFailed", "BeforeHookCreation"}
	m := msg("hook-delete-policy-unknown", o, sprintf("unknown hook-delete-policy %q: Argo CD ignores it", [v]))
}

deny contains m if {
	some o in argocd.objects
	some v in argocd.csv(object.get(o.facts.annotations, "helm.sh/hook-delete-policy", ""))
	not argocd.helm_delete_policies[v]
	m := msg("hook-delete-policy-unknown", o, sprintf("unknown helm.sh/hook-delete-policy %q: Argo CD ignores it", [v]))
}

# hook-named-without-recreate (warning)
warn contains m if {
	some o in argocd.objects
	o.facts.hook
	object.get(o.object.metadata, "name", "") != ""
	not o.facts.delete_policies_defaulted
	not "BeforeHookCreation" in o.facts.delete_policies
	m := msg("hook-named-without-recreate", o, sprintf("named hook %s has delete policies %s without BeforeHookCreation: the next sync can fail while the old one exists", [o.object.metadata.name, concat(",", o.facts.delete_policies)]))
}

# hook-job-unbounded (warning)
warn contains m if {
	some o in argocd.objects
	o.object.kind == "Job"
	o.facts.hook
	missing := [k | some k in ["activeDeadlineSeconds", "backoffLimit"]; object.get(object.get(o.object, "spec", {}), k, null) == null]
	count(missing) > 0
	m := msg("hook-job-unbounded", o, sprintf("hook Job has no spec.%s: a stuck Job holds the sync", [concat(" or spec.", missing)]))
}

# sync-option-unknown (warning)
known_sync_options := {
	"Prune=false", "Prune=confirm", "Prune=true",
	"Delete=false", "Delete=confirm", "Delete=true",
	"Validate=false", "Validate=true",
	"SkipDryRunOnMissingResource=true", "SkipDryRunOnMissingResource=false",
	"PruneLast=true", "PruneLast=false",
	"Replace=true", "Replace=false",
	"ServerSideApply=true", "ServerSideApply=false",
	"Force=true", "Force=false",
}

app_level_sync_options := {"ApplyOutOfSyncOnly", "PrunePropagationPolicy", "CreateNamespace", "FailOnSharedResource", "RespectIgnoreDifferences", "ClientSideApplyMigration"}

warn contains m if {
	some o in argocd.objects
	some v in o.facts.sync_options
	not v in known_sync_options
	not split(v, "=")[0] in app_level_sync_options
	m := msg("sync-option-unknown", o, sprintf("unknown sync option %q: Argo CD ignores it", [v]))
}

# duplicate-object (error, whole set)
deny contains m if {
	some idx in argocd.by_key
	count(idx) > 1
	first := argocd.objects[idx[0]]
	some i in array.slice(idx, 1, count(idx))
	o := argocd.objects[i]
	m := msg("duplicate-object", o, sprintf("defined %d times (first in %s): Argo CD applies only one", [count(idx), first.path]))
}

# cr-without-crd (warning, whole set)
builtin_groups := {
	"", "admissionregistration.k8s.io", "apiextensions.k8s.io", "apiregistration.k8s.io", "apps",
	"authentication.k8s.io", "authorization.k8s.io", "autoscaling", "batch", "certificates.k8s.io",
	"coordination.k8s.io", "discovery.k8s.io", "events.k8s.io", "extensions",
	"flowcontrol.apiserver.k8s.io", "internal.apiserver.k8s.io", "networking.k8s.io", "node.k8s.io",
	"policy", "rbac.authorization.k8s.io", "resource.k8s.io", "scheduling.k8s.io", "storage.k8s.io",
	"storagemigration.k8s.io",
}

argocd_kinds := {"argoproj.io/Application", "argoproj.io/AppProject", "argoproj.io/ApplicationSet"}

crds := {sprintf("%s/%s", [o.object.spec.group, o.object.spec.names.kind]) |
	some o in argocd.objects
	o.object.kind == "CustomResourceDefinition"
	argocd.group(o.object.apiVersion) == "apiextensions.k8s.io"
}

warn contains m if {
	some o in argocd.objects
	g := argocd.group(o.object.apiVersion)
	not g in builtin_groups
	gk := sprintf("%s/%s", [g, o.object.kind])
	not gk in crds
	not gk in argocd_kinds
	count(o.facts.phases) > 0
	not "SkipDryRunOnMissingResource=true" in o.facts.sync_options
	m := msg("cr-without-crd", o, sprintf("%s has no CRD in the app: the sync fails at the dry run unless the CRD is already installed", [gk]))
}

# hook-depends-on-later (error, whole set)
deny contains m if {
	some o in argocd.objects
	o.facts.hook
	s := argocd.first_step(o)
	spec := argocd.pod_spec(o.object)
	some r in refs(spec)
	ns := object.get(o.object.metadata, "namespace", "")
	some i in argocd.by_key[sprintf("/%s/%s/%s", [r.kind, ns, r.name])]
	t := argocd.objects[i]
	ts := argocd.first_step(t)
	argocd.step_before(s, ts)
	m := msg("hook-depends-on-later", o, sprintf("hook in %s uses %s/%s, which Argo CD creates later (%s)", [argocd.step_string(s), r.kind, r.name, argocd.step_string(ts)]))
}

refs(spec) := {r |
	some r in (((sa_refs(spec) | volume_refs(spec)) | container_refs(spec)) | pull_secret_refs(spec))
}

sa_refs(spec) := {{"kind": "ServiceAccount", "name": n} |
	some k in ["serviceAccountName", "serviceAccount"]
	n := spec[k]
	is_string(n)
	n != ""
}

volume_refs(spec) := {r |
	some v in object.get(spec, "volumes", [])
	some r in volume_ref(v)
}

volume_ref(v) := {{"kind": "ConfigMap", "name": v.configMap.name}} if v.configMap.name

else := {{"kind": "Secret", "name": v.secret.secretName}} if v.secret.secretName

else := {{"kind": "PersistentVolumeClaim", "name": v.persistentVolumeClaim.claimName}} if v.persistentVolumeClaim.claimName

else := {r |
	some src in v.projected.sources
	some r in projected_ref(src)
}

projected_ref(src) := {{"kind": "ConfigMap", "name": src.configMap.name}} if src.configMap.name

else := {{"kind": "Secret", "name": src.secret.name}} if src.secret.name

else := set()

container_refs(spec) := {r |
	some field in ["initContainers", "containers"]
	some c in object.get(spec, field, [])
	some r in container_ref(c)
}

container_ref(c) := {r |
	some ef in object.get(c, "envFrom", [])
	some r in env_from_ref(ef)
} | {r |
	some e in object.get(c, "env", [])
	some r in env_ref(e)
}

env_from_ref(ef) := {{"kind": "ConfigMap", "name": ef.configMapRef.name}} if ef.configMapRef.name

else := {{"kind": "Secret", "name": ef.secretRef.name}} if ef.secretRef.name

else := set()

env_ref(e) := {{"kind": "ConfigMap", "name": e.valueFrom.configMapKeyRef.name}} if e.valueFrom.configMapKeyRef.name

else := {{"kind": "Secret", "name": e.valueFrom.secretKeyRef.name}} if e.valueFrom.secretKeyRef.name

else := set()

pull_secret_refs(spec) := {{"kind": "Secret", "name": s.name} | some s in object.get(spec, "imagePullSecrets", []); s.name}
