package main

import data.wavecheck.lib

# A string result: the message.
deny contains msg if {
	input.kind == "Job"
	not input.metadata.labels.team
	msg := sprintf("Job %s has no team label", [input.metadata.name])
}

# METADATA
# title: Hooks must run early
# description: Our migrations must finish before anything else starts.
# related_resources:
# - ref: https://wiki.example.com/migrations
# custom:
#   id: migration-wave
#   severity: warning
#   hint: Put migration hooks in PreSync.
warn_migration_phase contains {"msg": msg} if {
	input.metadata.labels.role == "migration"
	f := lib.facts(input)
	f.phase != "PreSync"
	msg := sprintf("migration runs in %s wave %d", [f.phase, f.effectiveWave])
}
