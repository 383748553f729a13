package main

test_migration_in_sync if {
	obj := {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "m", "labels": {"role": "migration"}}}
	facts := {"phase": "Sync", "effectiveWave": 0}
	count(warn_migration_phase) == 1 with input as obj
		with data.wavecheck.objects as [{"argocd": facts}]
		with data.wavecheck.index as {"batch/Job//m": 0}
}
