# METADATA
# title: Hook uses an object created later
# description: |-
#   A hook's pod uses a ServiceAccount, ConfigMap, Secret or PersistentVolumeClaim that the
#   same app creates in a later phase or wave. On the first sync (and after a rename) the pod
#   cannot start: Argo CD waits for the hook while the dependency is only applied after it, so
#   the sync hangs or fails. Typical case: a PreSync migration Job using a Secret of the Sync
#   phase.
# related_resources:
# - ref: https://github.com/argoproj/argo-cd/issues/4384
# custom:
#   id: hook-depends-on-later
#   severity: error
#   hint: Give the dependency the hook's phase (e.g. make it a PreSync hook too) or an earlier sync wave.
package wavecheck.rules.hook_depends_on_later

import data.wavecheck.lib

findings contains f if {
	some o in lib.hooks
	o.argocd.hook
	count(o.argocd.steps) > 0
	s := o.argocd.steps[0]
	spec := lib.pod_spec(o.object)
	some ref in refs(spec)
	some i in data.wavecheck.lookup[sprintf("/%s/%s/%s", [ref.kind, lib.namespace_of(o), ref.name])]
	t := data.wavecheck.objects[i]
	count(t.argocd.steps) > 0
	ts := t.argocd.steps[0]
	lib.step_before(s, ts)
	f := {"index": o.index, "msg": sprintf("hook in %s uses %s/%s, which Argo CD creates later (%s)", [lib.step_string(s), ref.kind, ref.name, lib.step_string(ts)])}
}

# refs are the {kind, name} objects a pod spec needs to start.
refs(spec) := {r |
	some r in sa_refs(spec) | volume_refs(spec) | container_refs(spec) | pull_secret_refs(spec)
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
