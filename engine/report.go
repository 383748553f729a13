package engine

// PhaseComparisonError is the phase of a replay Argo CD never starts: the repo-server refuses
// the manifests (the Application shows a ComparisonError) and nothing is applied.
const PhaseComparisonError = "ComparisonError"

// Report is the outcome of a replay. Its JSON form is wavecheck's replay contract
// (docs/replay.md): {"version":1,"phase","message","simulatedSeconds","steps":[...],
// "notRun":[...],"assumptions":[...]}.
type Report struct {
	Version int `json:"version"`
	// Phase is the final operation phase: Succeeded, Failed, Error (or Running when cancelled),
	// or ComparisonError when Argo CD refuses the app before any sync.
	Phase   string `json:"phase"`
	Message string `json:"message"`
	// SimulatedSeconds is the simulated duration (elapsed seconds on a real cluster).
	SimulatedSeconds float64 `json:"simulatedSeconds"`
	Steps            []Step  `json:"steps"`
	// Assumptions are what the simulated cluster assumed where it matters for this app (e.g.
	// the load balancer model when the app has LoadBalancer Services); none on a real cluster.
	Assumptions []Assumption `json:"assumptions,omitempty"`

	// NotRun lists the engine's tasks that never ran (e.g. waves after a failure, SyncFail
	// hooks of a successful sync), in the engine's order; always present in JSON (empty when
	// every task ran).
	NotRun []Task `json:"notRun"`
	// DeletionHooks are the PreDelete/PostDelete-only objects stripped from the sync.
	DeletionHooks []Task `json:"-"`
	// Target describes the cluster; Simulated is false for a real cluster.
	Target    string `json:"-"`
	Simulated bool   `json:"-"`
	// Rounds is the number of sync contexts built (Argo CD reconciliations).
	Rounds int `json:"-"`
	// Operation is "sync" or "delete".
	Operation string `json:"-"`
}

// Assumption is one fact about the cluster the simulated replay assumed.
type Assumption struct {
	// About is the topic: "loadBalancer" or "applicationHealth".
	About string `json:"about"`
	// Model is what was assumed: "cloud" or "none" for loadBalancer; "healthy-once-applied"
	// for applicationHealth.
	Model string `json:"model"`
	// Detail says what it means for the replay, and how to change it.
	Detail string `json:"detail"`
}

// Step is one operation gitops-engine (or, for app deletion, Argo CD's controller) performed.
type Step struct {
	Seq int `json:"seq"`
	// SyncPhase and Wave are the phase and effective wave of the engine's task (a Namespace or
	// CRD moved before its first dependant has that dependant's phase and wave; prune waves are
	// mirrored). App deletion uses the phases PreDelete, Delete and PostDelete, wave 0.
	SyncPhase string `json:"syncPhase"`
	Wave      int    `json:"wave"`
	// Action is apply, update (Replace=true), prune or delete (hook deletions by policy, app
	// deletion).
	Action    string `json:"action"`
	Kind      string `json:"kind"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	// Hook is the hook type the task ran as (PreSync, Sync, PostSync, SyncFail, PreDelete,
	// PostDelete), empty for resources.
	Hook string `json:"hook"`
	// Result: for hooks their phase (Succeeded, Failed, Running, Error); for resources the sync
	// status (Synced, SyncFailed, Pruned, PruneSkipped), or Failed when they went Degraded;
	// Deleted for deletions.
	Result    string  `json:"result"`
	Message   string  `json:"message"`
	AtSeconds float64 `json:"atSeconds"`
	// Cleanup marks a hook deletion by its delete policy (HookSucceeded, HookFailed, or the
	// hooks of a terminated sync; after an app-deletion stage): the clean-up after the phases,
	// not a step of them. BeforeHookCreation deletions belong to their wave.
	Cleanup bool `json:"cleanup,omitempty"`

	key string
}

// Task is one task of the engine's plan.
type Task struct {
	Phase string `json:"phase"`
	// Wave is the effective wave; AnnotatedWave the object's own (sync-wave, else
	// helm.sh/hook-weight, else 0).
	Wave          int    `json:"wave"`
	AnnotatedWave int    `json:"annotatedWave"`
	Action        string `json:"action"` // apply or prune
	Group         string `json:"group"`
	Kind          string `json:"kind"`
	Namespace     string `json:"namespace"`
	Name          string `json:"name"`
	// Hook is the hook type the task runs as, empty for resources; HookTypes all of the
	// object's hook types.
	Hook           string   `json:"hook"`
	HookTypes      []string `json:"hookTypes,omitempty"`
	DeletePolicies []string `json:"deletePolicies,omitempty"`
	// Moved is set for a Namespace or CRD moved before its first dependant.
	Moved bool `json:"moved"`
	// Notes explain the task (plan): a move, a prune wave, what Argo CD reads differently
	// from what the object says, or why it is never applied.
	Notes []string `json:"notes,omitempty"`
}

// StepGroup is a run of consecutive steps in one phase and wave.
type StepGroup struct {
	Phase string
	Wave  int
	Steps []Step
}

// PhaseGroups returns the steps of the phases (every step but the clean-up) as runs of
// consecutive steps in one phase and wave.
func (r *Report) PhaseGroups() []StepGroup {
	return groups(r.Steps, func(s Step) bool { return !s.Cleanup })
}

// CleanupSteps returns the hook deletions by delete policy, in order.
func (r *Report) CleanupSteps() []Step {
	var out []Step
	for _, s := range r.Steps {
		if s.Cleanup {
			out = append(out, s)
		}
	}
	return out
}

// Groups returns the steps as runs of consecutive steps in one phase and wave (clean-up steps
// included where they ran: the --expect format).
func (r *Report) Groups() []StepGroup {
	return groups(r.Steps, func(Step) bool { return true })
}

func groups(steps []Step, keep func(Step) bool) []StepGroup {
	var out []StepGroup
	for _, s := range steps {
		if !keep(s) {
			continue
		}
		if n := len(out); n > 0 && out[n-1].Phase == s.SyncPhase && out[n-1].Wave == s.Wave {
			out[n-1].Steps = append(out[n-1].Steps, s)
			continue
		}
		out = append(out, StepGroup{Phase: s.SyncPhase, Wave: s.Wave, Steps: []Step{s}})
	}
	return out
}

// Ref is "Kind/name".
func (t Task) Ref() string { return t.Kind + "/" + t.Name }

// Ref is "Kind/name".
func (s Step) Ref() string { return s.Kind + "/" + s.Name }

// OrderEntry is the comparable part of a step.
type OrderEntry struct {
	SyncPhase string
	Wave      int
	Action    string
	Kind      string
	Namespace string
	Name      string
	Hook      string
	Result    string
}

// Order returns the steps without messages and times: what two backends must agree on.
func (r *Report) Order() []OrderEntry {
	out := make([]OrderEntry, len(r.Steps))
	for i, s := range r.Steps {
		out[i] = OrderEntry{SyncPhase: s.SyncPhase, Wave: s.Wave, Action: s.Action, Kind: s.Kind, Namespace: s.Namespace, Name: s.Name, Hook: s.Hook, Result: s.Result}
	}
	return out
}
