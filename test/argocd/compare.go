package argocd

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// Replay is the part of `wavecheck replay -o json`'s contract the suite compares.
type Replay struct {
	Phase   string `json:"phase"`
	Message string `json:"message"`
	Steps   []struct {
		Seq       int    `json:"seq"`
		SyncPhase string `json:"syncPhase"`
		Wave      int    `json:"wave"`
		Action    string `json:"action"`
		Kind      string `json:"kind"`
		Namespace string `json:"namespace"`
		Name      string `json:"name"`
		Hook      string `json:"hook"`
		Result    string `json:"result"`
		Message   string `json:"message"`
	} `json:"steps"`
}

// Sync is one sync in a comparable form, built from a replay or from what Argo CD did.
type Sync struct {
	// Phase is the operation's final phase.
	Phase string
	// Order lists the writes to the API server in order, as groups: the writes inside a
	// group have no order between them (gitops-engine applies one kind of one wave in
	// parallel). Each write is "create|delete Kind/namespace/name".
	Order [][]string
	// Results is, per object, "syncPhase hookType result": for hooks their hook phase, for
	// resources their sync status (Argo CD's status.operationState.syncResult.resources).
	Results map[string]string
}

// generated matches the name gitops-engine gives a hook with only generateName:
// <generateName><revision[0:7]>-<phase>-<unix time> (pkg/sync/sync_context.go,
// getSyncTasks). Both sides are compared by the generateName part.
var generated = regexp.MustCompile(`^(.*?)[0-9a-f]{7}-(presync|sync|postsync|syncfail)-[0-9]+$`)

// ObjectKey is how the comparison names an object: Kind/namespace/name, with a generated
// hook name reduced to its generateName.
func ObjectKey(kind, ns, name string) string {
	if m := generated.FindStringSubmatch(name); m != nil {
		name = m[1] + "<generated>"
	}
	return kind + "/" + ns + "/" + name
}

// actionOf maps a replay action to the write Argo CD makes: apply and update create the
// object (the suite syncs new apps), prune and delete start its deletion.
func actionOf(a string) string {
	switch a {
	case "prune", "delete":
		return "delete"
	}
	return "create"
}

// FromReplay turns a replay report into a Sync. Consecutive steps of one phase, wave, write
// and kind form one group. existing lists objects (objectKey) that exist before the sync:
// applying them is an update, which the recorder does not see, so they leave the order.
func FromReplay(r Replay, existing map[string]bool) Sync {
	s := Sync{Phase: r.Phase, Results: map[string]string{}}
	last := ""
	deleted := map[string]bool{}
	for _, st := range r.Steps {
		key := ObjectKey(st.Kind, st.Namespace, st.Name)
		act := actionOf(st.Action)
		if st.Action != "delete" {
			s.Results[key] = fmt.Sprintf("%s %s %s", st.SyncPhase, st.Hook, st.Result)
		}
		if act == "delete" {
			deleted[key] = true
		}
		if act == "create" && existing[key] && !deleted[key] {
			continue // an update of a live object (re-created after a deletion, it is new)
		}
		wave := st.Wave
		if st.SyncPhase == "SyncFail" {
			// gitops-engine starts every pending SyncFail hook at once, whatever its wave
			// (pkg/sync/sync_context.go, executeSyncFailPhase).
			wave = 0
		}
		group := fmt.Sprintf("%s/%d/%s/%s", st.SyncPhase, wave, act, st.Kind)
		if group != last || len(s.Order) == 0 {
			s.Order = append(s.Order, nil)
			last = group
		}
		s.Order[len(s.Order)-1] = append(s.Order[len(s.Order)-1], act+" "+key)
	}
	for _, g := range s.Order {
		sort.Strings(g)
	}
	return s
}

// FromArgoCD builds the Sync Argo CD performed from the Application (its
// status.operationState) and the recorded events of the objects the sync touched: those in
// the sync result and those of the replay (so a write the replay predicts but Argo CD never
// made, or the reverse, shows in the diff). Events are grouped as the replay grouped the
// same writes, in resourceVersion order: when Argo CD's order agrees, the groups are equal.
func FromArgoCD(app *unstructured.Unstructured, events []Event, replay Sync) Sync {
	s := Sync{Results: map[string]string{}}
	s.Phase, _, _ = unstructured.NestedString(app.Object, "status", "operationState", "phase")
	if _, started, _ := unstructured.NestedMap(app.Object, "status", "operationState"); !started && comparisonError(app) {
		// The repo-server refused the manifests: no sync ever started (what the replay reports
		// as its ComparisonError phase).
		s.Phase = "ComparisonError"
	}
	res, _, _ := unstructured.NestedSlice(app.Object, "status", "operationState", "syncResult", "resources")
	// Argo CD's sync result gives cluster-scoped objects (Namespace, CRD) the destination
	// namespace (seen on v3.6.1: the controller defaults every target's namespace before the
	// sync); the API server's events know the scope.
	clusterScoped := map[string]bool{}
	for _, e := range events {
		if e.Namespace == "" {
			clusterScoped[e.Kind+"/"+e.Name] = true
		}
	}
	touched := map[string]bool{}
	for _, r := range res {
		m, _ := r.(map[string]any)
		str := func(k string) string { v, _ := m[k].(string); return v }
		ns := str("namespace")
		if clusterScoped[str("kind")+"/"+str("name")] {
			ns = ""
		}
		key := ObjectKey(str("kind"), ns, str("name"))
		result := str("status")
		if str("hookType") != "" {
			result = str("hookPhase")
		}
		s.Results[key] = fmt.Sprintf("%s %s %s", str("syncPhase"), str("hookType"), result)
		touched[key] = true
	}
	groupOf := map[string]int{}
	for i, g := range replay.Order {
		for _, w := range g {
			groupOf[w] = i
			_, key, _ := strings.Cut(w, " ")
			touched[key] = true
		}
	}
	last := -2
	for _, e := range events {
		key := ObjectKey(e.Kind, e.Namespace, e.Name)
		if !touched[key] {
			continue
		}
		w := e.Action + " " + key
		g, ok := groupOf[w]
		if !ok {
			g = -1 // a write the replay does not predict: a group of its own
		}
		if g != last || g == -1 {
			s.Order = append(s.Order, nil)
			last = g
		}
		s.Order[len(s.Order)-1] = append(s.Order[len(s.Order)-1], w)
	}
	for _, g := range s.Order {
		sort.Strings(g)
	}
	return s
}

// comparisonError reports whether the Application has a ComparisonError condition.
func comparisonError(app *unstructured.Unstructured) bool { return ComparisonError(app) != "" }

// ComparisonError returns the message of the Application's ComparisonError condition, or ""
// when it has none.
func ComparisonError(app *unstructured.Unstructured) string {
	conds, _, _ := unstructured.NestedSlice(app.Object, "status", "conditions")
	for _, c := range conds {
		if cm, _ := c.(map[string]any); cm["type"] == "ComparisonError" {
			return fmt.Sprint(cm["message"])
		}
	}
	return ""
}
