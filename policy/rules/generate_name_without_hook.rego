# METADATA
# title: generateName on a resource that is not a hook
# description: |-
#   Argo CD applies resources by name; only hooks get a name generated from
#   metadata.generateName. A non-hook object with generateName and no name cannot be applied
#   (and, applied with kubectl create, would be duplicated at every sync).
# related_resources:
# - ref: https://github.com/argoproj/argo-cd/issues/1639
# custom:
#   id: generate-name-without-hook
#   severity: error
#   hint: Set metadata.name, or make the object a hook (argocd.argoproj.io/hook).
package wavecheck.rules.generate_name_without_hook

import data.wavecheck.lib

findings contains f if {
	some o in lib.generated_names
	g := object.get(o.object.metadata, "generateName", "")
	g != ""
	object.get(o.object.metadata, "name", "") == ""
	not o.argocd.hook
	not o.argocd.skip
	f := {"index": o.index, "msg": sprintf("generateName %q on a %s that is not a hook: Argo CD cannot apply an object without a name", [g, o.object.kind])}
}
