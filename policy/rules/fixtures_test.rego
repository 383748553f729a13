# Test fixtures for the built-in rules' unit tests.
package wavecheck.fixtures

import data.wavecheck.lib

default_facts := {
	"annotations": {},
	"nonStringAnnotations": [],
	"nullAnnotations": [],
	"annotationsNotMap": false,
	"annotationsDropped": false,
	"hook": false,
	"gitopsEngineHook": false,
	"skip": false,
	"hookTypes": [],
	"argocdHookValues": [],
	"helmHookValues": [],
	"deleteHookTypes": [],
	"ignoredDeleteHooks": [],
	"deletionOnly": false,
	"finalizerHookTypes": [],
	"syncDroppedPhases": [],
	"syncPhases": ["Sync"],
	"wave": 0,
	"waveSource": "default",
	"syncWaveInvalid": false,
	"hookWeightInvalid": false,
	"deletePolicies": ["BeforeHookCreation"],
	"deletePoliciesDefaulted": true,
	"syncOptions": [],
	"compareOptions": [],
	"superseded": false,
	"steps": [{"phase": "Sync", "wave": 0}],
	"phase": "Sync",
	"effectiveWave": 0,
}

# obj builds an element of data.wavecheck.objects: a raw object and its Argo CD facts
# (defaults overridden by facts).
obj(raw, facts) := {
	"object": raw,
	"argocd": object.union(object.union(default_facts, {"annotations": object.get(raw, ["metadata", "annotations"], {})}), facts),
	"source": {"file": "test.yaml", "line": 1, "doc": 0},
	"ref": sprintf("%s/%s", [raw.kind, object.get(raw.metadata, "name", "")]),
	"group": lib.group(raw.apiVersion),
	"unstable": [],
}

# csv splits an annotation value as Argo CD does.
csv(s) := lib.csv(s)

# objects numbers a list of fixture objects (their index field).
objects(list) := [object.union(o, {"index": i}) | some i, o in list]

# hook is the facts of a hook in one phase and wave.
hook(phase, wave) := {
	"hook": true,
	"gitopsEngineHook": true,
	"hookTypes": [phase],
	"argocdHookValues": [phase],
	"syncPhases": [phase],
	"wave": wave,
	"steps": [{"phase": phase, "wave": wave}],
	"phase": phase,
	"effectiveWave": wave,
}

# at is the facts of a resource in a phase and wave.
at(phase, wave) := {
	"syncPhases": [phase],
	"wave": wave,
	"steps": [{"phase": phase, "wave": wave}],
	"phase": phase,
	"effectiveWave": wave,
}

# version is an Argo CD version document.
version(major, minor) := {"major": major, "minor": minor, "patch": 0, "string": sprintf("%d.%d", [major, minor])}
