package engine

import (
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/argoproj/argo-cd/gitops-engine/v3/pkg/sync/common"
	"github.com/argoproj/argo-cd/gitops-engine/v3/pkg/utils/kube"
)

const gitopsEngine = "github.com/argoproj/argo-cd/gitops-engine/v3"

// engineSource parses a file of the pinned gitops-engine module (the version go.mod selects).
func engineSource(t *testing.T, rel string) *ast.File {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-json", gitopsEngine).Output()
	if err != nil {
		t.Fatalf("go list -m %s: %v", gitopsEngine, err)
	}
	var m struct{ Dir, Version string }
	if err := json.Unmarshal(out, &m); err != nil || m.Dir == "" {
		t.Fatalf("go list -m %s: no module directory (%v): %s", gitopsEngine, err, out)
	}
	f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(m.Dir, rel), nil, 0)
	if err != nil {
		t.Fatalf("parse %s@%s %s: %v", gitopsEngine, m.Version, rel, err)
	}
	return f
}

func stringLit(e ast.Expr) (string, bool) {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(lit.Value)
	return s, err == nil
}

// logCalls returns, for every logger.Info("literal") call of f, the WithValues keys of the
// logger it is called on (through V(n), WithValues chains and local variables).
func logCalls(f *ast.File) map[string][][]string {
	out := map[string][][]string{}
	for _, decl := range f.Decls {
		fn, ok := decl.(*ast.FuncDecl)
		if !ok || fn.Body == nil {
			continue
		}
		vars := map[string][]ast.Expr{}
		ast.Inspect(fn.Body, func(n ast.Node) bool {
			if as, ok := n.(*ast.AssignStmt); ok && len(as.Lhs) == len(as.Rhs) {
				for i, l := range as.Lhs {
					if id, ok := l.(*ast.Ident); ok {
						vars[id.Name] = append(vars[id.Name], as.Rhs[i])
					}
				}
			}
			return true
		})
		var keysOf func(e ast.Expr, depth int) []string
		keysOf = func(e ast.Expr, depth int) []string {
			if depth > 10 {
				return nil
			}
			switch x := e.(type) {
			case *ast.CallExpr:
				sel, ok := x.Fun.(*ast.SelectorExpr)
				if !ok {
					return nil
				}
				keys := keysOf(sel.X, depth+1)
				if sel.Sel.Name == "WithValues" {
					for i := 0; i < len(x.Args); i += 2 {
						if k, ok := stringLit(x.Args[i]); ok {
							keys = append(keys, k)
						}
					}
				}
				return keys
			case *ast.Ident:
				var keys []string
				for _, rhs := range vars[x.Name] {
					keys = append(keys, keysOf(rhs, depth+1)...)
				}
				return keys
			}
			return nil
		}
		ast.Inspect(fn.Body, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) != 1 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || sel.Sel.Name != "Info" {
				return true
			}
			if msg, ok := stringLit(call.Args[0]); ok {
				out[msg] = append(out[msg], keysOf(sel.X, 0))
			}
			return true
		})
	}
	return out
}

// TestGitopsEngineLogContract reads the pinned gitops-engine's sync source and fails when a log
// message the tracer scrapes, or the value key it reads, is no longer there.
func TestGitopsEngineLogContract(t *testing.T) {
	calls := logCalls(engineSource(t, "pkg/sync/sync_context.go"))
	for _, sc := range scraped {
		t.Run(sc.msg, func(t *testing.T) {
			sites := calls[sc.msg]
			if len(sites) == 0 {
				t.Fatalf("gitops-engine no longer logs %q (pkg/sync/sync_context.go): update engine/trace.go", sc.msg)
			}
			if sc.key == "" {
				return
			}
			for _, keys := range sites {
				found := false
				for _, k := range keys {
					found = found || k == sc.key
				}
				if !found {
					t.Errorf("gitops-engine logs %q with keys %v, without %q: update engine/trace.go", sc.msg, keys, sc.key)
				}
			}
		})
	}
}

// TestGitopsEngineTaskStringContract fails when (*syncTask).String() changes its format.
func TestGitopsEngineTaskStringContract(t *testing.T) {
	f := engineSource(t, "pkg/sync/sync_task.go")
	var format string
	var found bool
	for _, decl := range f.Decls {
		fn, ok := decl.(*ast.FuncDecl)
		if !ok || fn.Name.Name != "String" || fn.Recv == nil || len(fn.Recv.List) != 1 {
			continue
		}
		star, ok := fn.Recv.List[0].Type.(*ast.StarExpr)
		if id, isIdent := star.X.(*ast.Ident); !ok || !isIdent || id.Name != "syncTask" {
			continue
		}
		found = true
		ast.Inspect(fn.Body, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			if sel, ok := call.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Sprintf" {
				format, _ = stringLit(call.Args[0])
			}
			return true
		})
	}
	if !found {
		t.Fatal("gitops-engine has no (*syncTask).String() in pkg/sync/sync_task.go: update engine/trace.go")
	}
	if format != taskStringFormat {
		t.Fatalf("(*syncTask).String() formats %q, engine/trace.go reads %q: update parseTask", format, taskStringFormat)
	}
}

type fakeTask string

func (f fakeTask) String() string { return string(f) }

// TestParseTask reads strings built with the contract format, and its result key is the key
// gitops-engine gives the task's sync result (ResourceKey.String() + ":" + phase).
func TestParseTask(t *testing.T) {
	tests := []struct {
		args []any
		want taskInfo
		key  kube.ResourceKey
	}{
		{
			args: []any{"PreSync", -2, "hook", "batch", "Job", "shop", "db-migrate", "nil", "obj", "", "", ""},
			want: taskInfo{Phase: "PreSync", Wave: -2, Hook: true, Group: "batch", Kind: "Job", Namespace: "shop", Name: "db-migrate"},
			key:  kube.ResourceKey{Group: "batch", Kind: "Job", Namespace: "shop", Name: "db-migrate"},
		},
		{
			args: []any{"Sync", 3, "resource", "", "Namespace", "shop", "team-a", "obj", "obj", "Synced", "Running", "a message with spaces"},
			want: taskInfo{Phase: "Sync", Wave: 3, Group: "", Kind: "Namespace", Namespace: "shop", Name: "team-a"},
			key:  kube.ResourceKey{Kind: "Namespace", Namespace: "shop", Name: "team-a"},
		},
	}
	for _, tc := range tests {
		got, ok := parseTask(fakeTask(fmt.Sprintf(taskStringFormat, tc.args...)))
		if !ok || got != tc.want {
			t.Errorf("parseTask(%v) = %+v, %v; want %+v", tc.args, got, ok, tc.want)
		}
		res := common.ResourceSyncResult{ResourceKey: tc.key, SyncPhase: common.SyncPhase(tc.want.Phase)}
		if got.resultKey() != resultKey(res) {
			t.Errorf("result key %q, gitops-engine's %q", got.resultKey(), resultKey(res))
		}
	}
}

// TestTracerUnreadableTask: an operation logged with a task the tracer cannot read fails the
// replay instead of being dropped.
func TestTracerUnreadableTask(t *testing.T) {
	tr := newTracer(func() time.Duration { return 0 }, nil)
	log := tr.logger()
	log.WithValues("dryRun", false, keyTask, fakeTask("Sync/0 resource /ConfigMap:ns/a nil->obj (,,)")).Info(msgApplying)
	if err := tr.check(); err != nil {
		t.Fatalf("readable task refused: %v", err)
	}
	log.WithValues("dryRun", false, keyTask, fakeTask("Sync wave 0: ConfigMap ns/a")).Info(msgApplying)
	if err := tr.check(); !errors.Is(err, errScrape) || !strings.Contains(err.Error(), "ConfigMap ns/a") {
		t.Fatalf("unreadable task: err = %v, want errScrape naming it", err)
	}
	tr.reset()
	log.WithValues(keyTasks, []fakeTask{"Sync/0 resource /ConfigMap:ns/a nil->obj (,,)", "Sync 1 ConfigMap b"}).Info(msgTasks)
	if _, tasks, _, _ := tr.take(); len(tasks) != 1 {
		t.Errorf("task list: %+v, want the readable task", tasks)
	}
	if err := tr.check(); !errors.Is(err, errScrape) || !strings.Contains(err.Error(), "ConfigMap b") {
		t.Fatalf("unreadable task in a list: err = %v, want errScrape naming it", err)
	}
}

// TestExplainResults: a result the round added without a logged operation fails the replay; a
// validation failure before any task ran becomes a step.
func TestExplainResults(t *testing.T) {
	cm := kube.ResourceKey{Kind: "ConfigMap", Namespace: "default", Name: "a"}
	opts := Options{}.withDefaults()
	b, err := opts.Cluster.open(nil, opts)
	if err != nil {
		t.Fatal(err)
	}
	r := newRun(b, opts)
	r.results = []common.ResourceSyncResult{{ResourceKey: cm, SyncPhase: common.SyncPhaseSync, Status: common.ResultCodeSynced, Message: "configmap/a created"}}
	if err := r.explain(nil, nil, true); !errors.Is(err, errScrape) || !strings.Contains(err.Error(), "/ConfigMap/default/a:Sync") {
		t.Errorf("unlogged apply: err = %v, want errScrape naming the result", err)
	}
	ev := []event{{op: opApply, info: taskInfo{Phase: "Sync", Kind: "ConfigMap", Namespace: "default", Name: "a"}}}
	if err := r.explain(nil, ev, true); err != nil {
		t.Errorf("logged apply refused: %v", err)
	}
	if err := r.explain(r.results, nil, true); err != nil {
		t.Errorf("result of an earlier round refused: %v", err)
	}
	r.results[0].Status, r.results[0].Message = common.ResultCodeSyncFailed, "the server could not find the requested resource"
	if err := r.explain(nil, nil, false); err != nil || len(r.rep.Steps) != 1 || r.rep.Steps[0].Result != "SyncFailed" {
		t.Errorf("validation failure: err = %v, steps %+v", err, r.rep.Steps)
	}
}

// The replay's JSON keys are the ones docs/replay.md documents: a key added, renamed or
// dropped must update the contract.
func TestReplayJSONDocumented(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "docs", "replay.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []any{Report{}, Step{}, Task{}, Assumption{}} {
		rt := reflect.TypeOf(v)
		for i := 0; i < rt.NumField(); i++ {
			name, _, _ := strings.Cut(rt.Field(i).Tag.Get("json"), ",")
			if name == "" || name == "-" {
				continue
			}
			if !strings.Contains(string(doc), "`"+name+"`") && !strings.Contains(string(doc), `"`+name+`"`) {
				t.Errorf("docs/replay.md does not document the %s key %q", rt.Name(), name)
			}
		}
	}
	rep, err := json.Marshal(Report{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(rep), `"notRun":`) {
		t.Errorf("notRun is not always present: %s", rep)
	}
}
