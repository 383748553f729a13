// Package engine replays Argo CD's phased sync of a rendered application with gitops-engine
// (github.com/argoproj/argo-cd/gitops-engine/v3, the sync engine inside Argo CD). It is the only
// wavecheck package that imports gitops-engine.
//
// # Plan
//
// [Plan] returns the ordered task list exactly as gitops-engine sorts it (phase, wave, kind order,
// name; Namespaces and CRDs moved before their first dependant, taking its phase and wave;
// prune waves mirrored; PruneLast after the last Sync wave), without running health. Objects
// whose only hook types are PreDelete/PostDelete are not part of a sync: Plan lists them apart,
// as Argo CD strips them from the sync.
//
// # Replay
//
// [Replay] drives the sync the way Argo CD's application controller does: every round it reads
// fresh live state, calls sync.Reconcile, builds a new sync context with
// sync.WithInitialState(phase, message, results, startedAt), calls Sync and GetState, until the
// operation phase is completed. The revision and start time are fixed so that hooks named by
// generateName get the same names on every run. Every manifest, hooks included, carries the
// [TrackingLabel] (value: Options.AppName); only live objects with that label are managed.
//
// The cluster is chosen with Options.Cluster:
//
//	rep, err := engine.Replay(ctx, objs, engine.Options{
//		Namespace: "guestbook",
//		Cluster:   engine.Simulated(engine.SimOptions{Fail: []string{"Job/migrate"}}),
//	})
//
//	rep, err := engine.Replay(ctx, objs, engine.Options{
//		Namespace: "guestbook",
//		Cluster:   engine.Real(restConfig), // e.g. from clientcmd
//		WaveDelay: engine.NoWaveDelay,
//	})
//
// [Simulated] is an embedded cluster: an in-process API (discovery, object store honouring
// dry-run, apply, PUT, DELETE with finalizers, generateName) and a controller that moves objects
// to their health on a simulated clock; nothing sleeps. Like a real cluster it refuses pods
// whose ServiceAccount is missing, never starts pods whose Secret, ConfigMap or PVC is missing
// (until it appears or a deadline passes), serves custom resources only when their CRD is known,
// runs Argo CD (argocd namespace and CRDs) and models LoadBalancer Services explicitly
// (SimOptions.LoadBalancer; [Report.Assumptions] says what was assumed). [Real] talks to a real API server through
// gitops-engine's cluster cache and real kubectl code paths; the wave delay and health are real.
//
// Replay and plan output is written by package engine/output, one writer per format.
//
// Both backends produce the same [Report]: steps in the order gitops-engine performed them, each
// with the sync phase and EFFECTIVE wave of the engine's own task (sync results carry no wave,
// so they are taken from the tasks the engine logs), the action (apply, update, prune, delete),
// result and message. Objects applied in parallel by the engine (one kind in one wave) are
// reported in the order the engine launches them (name order), so reports of the two backends
// compare step by step; only AtSeconds differs (simulated against elapsed seconds).
// [Report.Order] gives the comparable part.
//
// [ReplayDelete] replays an application deletion instead (Argo CD's controller, not
// gitops-engine): PreDelete hooks run and must succeed, then the managed resources are deleted,
// then PostDelete hooks run, then hooks are cleaned up by their delete policies.
package engine
