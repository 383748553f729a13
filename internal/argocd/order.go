package argocd

import (
	"sort"
	"strings"

	"github.com/wavecheck/wavecheck/internal/manifest"
)

// kindOrder is gitops-engine's kind order within a phase and wave (sync_tasks.go): known kinds
// get negative ranks, unknown kinds 0 (last).
var kindOrder = map[string]int{}

func init() {
	kinds := []string{
		"Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange", "PodSecurityPolicy",
		"PodDisruptionBudget", "ServiceAccount", "Secret", "SecretList", "ConfigMap",
		"StorageClass", "PersistentVolume", "PersistentVolumeClaim", "CustomResourceDefinition",
		"ClusterRole", "ClusterRoleList", "ClusterRoleBinding", "ClusterRoleBindingList", "Role",
		"RoleList", "RoleBinding", "RoleBindingList", "Service", "DaemonSet", "Pod",
		"ReplicationController", "ReplicaSet", "Deployment", "HorizontalPodAutoscaler",
		"StatefulSet", "Job", "CronJob", "IngressClass", "Ingress", "APIService",
	}
	for i, k := range kinds {
		kindOrder[k] = i - len(kinds)
	}
}

// KindOrder is the rank gitops-engine gives a kind inside one phase and wave (lower first).
func KindOrder(kind string) int { return kindOrder[kind] }

// Group returns the API group of an apiVersion ("" for the core group).
func Group(apiVersion string) string {
	if i := strings.LastIndex(apiVersion, "/"); i >= 0 {
		return apiVersion[:i]
	}
	return ""
}

type task struct {
	obj   int // index into the object list
	phase string
	wave  int
	kind  string
	name  string
	ns    string // namespace after Argo CD puts namespace-less objects in the destination one
	group string
	// declared phase/wave before a move
	declPhase string
	declWave  int
	moved     bool
	before    int // object index of the dependant it moved before
}

// AnalyzeAll computes the facts of every object, including the effective steps: it builds
// gitops-engine's sync tasks (one per object and sync phase), sorts them by phase, wave, kind
// and name, then moves each Namespace before the first object in it and each CRD before its
// first custom resource, giving the moved task that object's phase and wave.
func AnalyzeAll(objs []manifest.Object, opts Options) []Facts {
	facts, _ := Plan(objs, opts)
	return facts
}

// Task is one sync task in gitops-engine's order: object Object (an index into the list given
// to Plan) applied in Phase and Wave.
type Task struct {
	Object int
	Phase  string
	Wave   int
	// Moved marks a Namespace or CRD moved before its first dependant.
	Moved bool
}

// Plan is AnalyzeAll plus the ordered sync tasks (without prune tasks: only rendered objects
// are known).
func Plan(objs []manifest.Object, opts Options) ([]Facts, []Task) {
	facts := make([]Facts, len(objs))
	var tasks []*task
	// controller/state.go NormalizeTargetObjects keeps the last object of each resource key
	// (group, kind, namespace after defaulting, name; a nameless object is keyed by its
	// generateName and position, so never a duplicate).
	last := map[string]int{}
	for i, o := range objs {
		if o.Name() != "" {
			last[resourceKey(o, opts)] = i
		}
	}
	for i, o := range objs {
		facts[i] = Analyze(o.Object, opts)
		if o.Name() != "" && last[resourceKey(o, opts)] != i {
			facts[i].Superseded = true
			continue
		}
		name := o.Name()
		if name == "" && facts[i].GitOpsEngineHook {
			// gitops-engine (sync_context.go getSyncTasks) names a generateName hook
			// "<generateName><rev>-<phase>-<time>"; the prefix is what orders it. Other objects
			// keep the empty name.
			name = o.GenerateName()
		}
		ns := o.Namespace()
		if ns == "" {
			ns = opts.Namespace
		}
		for _, p := range facts[i].SyncPhases {
			tasks = append(tasks, &task{
				obj: i, phase: p, wave: facts[i].Wave, kind: o.Kind(), name: name, ns: ns,
				group: Group(o.APIVersion()), declPhase: p, declWave: facts[i].Wave, before: -1,
			})
		}
	}
	sort.SliceStable(tasks, func(a, b int) bool {
		ta, tb := tasks[a], tasks[b]
		if d := PhaseOrder(ta.phase) - PhaseOrder(tb.phase); d != 0 {
			return d < 0
		}
		if ta.wave != tb.wave {
			return ta.wave < tb.wave
		}
		if d := kindOrder[ta.kind] - kindOrder[tb.kind]; d != 0 {
			return d < 0
		}
		return ta.name < tb.name
	})
	adjustDeps(tasks, func(t *task) (string, bool) {
		return t.name, t.kind == "Namespace" && t.group == ""
	}, func(t *task) (string, bool) {
		return t.ns, t.ns != ""
	})
	adjustDeps(tasks, func(t *task) (string, bool) {
		if t.kind != "CustomResourceDefinition" || t.group != "apiextensions.k8s.io" {
			return "", false
		}
		spec, _ := objs[t.obj].Object["spec"].(map[string]any)
		group, ok1 := spec["group"].(string)
		names, _ := spec["names"].(map[string]any)
		kind, ok2 := names["kind"].(string)
		if !ok1 || !ok2 {
			return "", false
		}
		return group + "/" + kind, true
	}, func(t *task) (string, bool) {
		return t.group + "/" + t.kind, true
	})
	plan := make([]Task, 0, len(tasks))
	for _, t := range tasks {
		plan = append(plan, Task{Object: t.obj, Phase: t.phase, Wave: t.wave, Moved: t.moved})
		s := Step{Phase: t.phase, Wave: t.wave}
		if t.moved && (t.phase != t.declPhase || t.wave != t.declWave) {
			s.Moved = true
			s.Before = objs[t.before].Ref()
			s.DeclaredPhase = t.declPhase
			s.DeclaredWave = t.declWave
		}
		facts[t.obj].Steps = append(facts[t.obj].Steps, s)
	}
	for i := range facts {
		f := &facts[i]
		sort.SliceStable(f.Steps, func(a, b int) bool {
			return PhaseOrder(f.Steps[a].Phase) < PhaseOrder(f.Steps[b].Phase)
		})
		if len(f.Steps) > 0 {
			f.Phase, f.EffectiveWave = f.Steps[0].Phase, f.Steps[0].Wave
		}
	}
	return facts, plan
}

// resourceKey is the object's key as Argo CD dedups targets. Without the cluster's discovery
// the namespace is the object's own, else the destination namespace (a cluster-scoped object
// written with a namespace keeps it here).
func resourceKey(o manifest.Object, opts Options) string {
	ns := o.Namespace()
	if ns == "" {
		ns = opts.Namespace
	}
	return Group(o.APIVersion()) + "/" + o.Kind() + "/" + ns + "/" + o.Name()
}

// adjustDeps mirrors gitops-engine's syncTasks.adjustDeps on the sorted tasks.
func adjustDeps(s []*task, isDep, refDep func(*task) (string, bool)) {
	first := map[string]int{}
	for i, t := range s {
		if key, ok := isDep(t); ok {
			if index, ok := first[key]; ok {
				t.wave = s[index].wave
				t.phase = s[index].phase
				t.moved = true
				t.before = s[index].obj
				copy(s[index+1:i+1], s[index:i])
				s[index] = t
				for k, fi := range first {
					if fi >= index {
						first[k] = fi + 1
					}
				}
			}
		} else if key, ok := refDep(t); ok {
			if _, ok := first[key]; !ok {
				first[key] = i
			}
		}
	}
}
