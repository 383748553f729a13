package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-logr/logr"
)

// gitops-engine's sync results carry no wave, and its tasks are unexported. The engine logs
// every task it runs (with its effective phase and wave) and its sorted task list; the tracer
// is a logr sink that records those log calls as the replay's events.

// The log messages of gitops-engine's syncContext (pkg/sync/sync_context.go) the tracer reads,
// and the value each carries. trace_contract_test.go checks them against the pinned module's
// source: an upgrade that renames one fails the tests instead of silently dropping events.
const (
	msgTasksDryRun   = "Tasks (dry-run)"         // WithValues("tasks", dryRunTasks), Sync
	msgTasks         = "Tasks"                   // WithValues("tasks", tasks), Sync
	msgWetRun        = "Wet-run"                 // Sync, after the health updates
	msgSyncFailTasks = "Running sync fail tasks" // executeSyncFailPhase
	msgApplying      = "Applying"                // WithValues("dryRun", dryRun, "task", t), runTasks
	msgPruning       = "Pruning"                 // WithValues("dryRun", dryRun, "task", t), runTasks
	msgDeleting      = "Deleting"                // BeforeHookCreation deletion, runTasks
	msgDeletingRes   = "Deleting resource"       // WithValues("task", task), deleteResource

	keyTask  = "task"
	keyTasks = "tasks"
)

// scraped lists every message the tracer reads with the value key it takes ("" for none).
var scraped = []struct{ msg, key string }{
	{msgTasksDryRun, keyTasks}, {msgTasks, keyTasks}, {msgWetRun, ""}, {msgSyncFailTasks, ""},
	{msgApplying, keyTask}, {msgPruning, keyTask}, {msgDeleting, keyTask}, {msgDeletingRes, keyTask},
}

// taskStringFormat is the format of gitops-engine's (*syncTask).String() (pkg/sync/sync_task.go)
// that parseTask reads: "<phase>/<wave> hook|resource <group>/<kind>:<ns>/<name> ...".
const taskStringFormat = "%s/%d %s %s/%s:%s/%s %s->%s (%s,%s,%s)"

// taskInfo is what a task's String() says.
type taskInfo struct {
	Phase     string
	Wave      int
	Hook      bool
	Group     string
	Kind      string
	Namespace string
	Name      string
}

// resultKey is gitops-engine's key of a task's sync result.
func (t taskInfo) resultKey() string {
	return fmt.Sprintf("%s/%s/%s/%s:%s", t.Group, t.Kind, t.Namespace, t.Name, t.Phase)
}

func parseTask(v any) (taskInfo, bool) {
	s, ok := v.(fmt.Stringer)
	if !ok || v == nil || (reflect.ValueOf(v).Kind() == reflect.Pointer && reflect.ValueOf(v).IsNil()) {
		return taskInfo{}, false
	}
	fields := strings.SplitN(s.String(), " ", 4)
	if len(fields) < 3 {
		return taskInfo{}, false
	}
	phase, waveStr, ok := strings.Cut(fields[0], "/")
	if !ok {
		return taskInfo{}, false
	}
	wave, err := strconv.Atoi(waveStr)
	if err != nil {
		return taskInfo{}, false
	}
	group, rest, ok := strings.Cut(fields[2], "/")
	if !ok {
		return taskInfo{}, false
	}
	kind, rest, ok := strings.Cut(rest, ":")
	if !ok {
		return taskInfo{}, false
	}
	ns, name, ok := strings.Cut(rest, "/")
	if !ok {
		return taskInfo{}, false
	}
	return taskInfo{Phase: phase, Wave: wave, Hook: fields[1] == "hook", Group: group, Kind: kind, Namespace: ns, Name: name}, true
}

// parseTasks reads a logged task list (gitops-engine's syncTasks, a slice of *syncTask); bad
// describes what it could not read.
func parseTasks(v any) (tasks []taskInfo, bad []string) {
	rv := reflect.ValueOf(v)
	if !rv.IsValid() {
		return nil, nil
	}
	if rv.Kind() != reflect.Slice {
		return nil, []string{"a task list " + describe(v)}
	}
	out := make([]taskInfo, 0, rv.Len())
	for i := 0; i < rv.Len(); i++ {
		t, ok := parseTask(rv.Index(i).Interface())
		if !ok {
			bad = append(bad, "a task list with "+describe(rv.Index(i).Interface()))
			continue
		}
		out = append(out, t)
	}
	return out, bad
}

type opKind string

const (
	opApply  opKind = "apply"
	opPrune  opKind = "prune"
	opDelete opKind = "delete"
)

// event is one operation gitops-engine started.
type event struct {
	op   opKind
	dry  bool // during the dry-run pass before the first wave
	bhc  bool // a BeforeHookCreation deletion
	task any
	at   time.Duration
	info taskInfo
}

// tracer collects the events of one round.
type tracer struct {
	mu        sync.Mutex
	clock     func() time.Duration
	dry       bool
	events    []event
	tasks     any
	syncFail  bool
	bhc       map[any]bool
	log       *slog.Logger
	lastError string
	// wet is set once the round ran tasks for real (after its dry-run pass)
	wet bool
	// terminating is set for the round that terminates a timed-out sync
	terminating bool
	// unreadable are operations logged with a task parseTask cannot read
	unreadable []string
}

func newTracer(clock func() time.Duration, log *slog.Logger) *tracer {
	return &tracer{clock: clock, log: log, bhc: map[any]bool{}}
}

func (t *tracer) reset() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.dry, t.wet, t.events, t.syncFail, t.bhc, t.lastError, t.unreadable = false, false, nil, false, map[any]bool{}, "", nil
}

func (t *tracer) logger() logr.Logger { return logr.New(&sink{t: t}) }

func value(key string, lists ...[]any) any {
	for _, kv := range lists {
		for i := 0; i+1 < len(kv); i += 2 {
			if k, ok := kv[i].(string); ok && k == key {
				return kv[i+1]
			}
		}
	}
	return nil
}

func (t *tracer) observe(msg string, values, kv []any) {
	t.mu.Lock()
	defer t.mu.Unlock()
	switch msg {
	case msgTasksDryRun:
		t.dry = true
		t.tasks = value(keyTasks, kv, values)
	case msgTasks:
		t.tasks = value(keyTasks, kv, values)
	case msgWetRun:
		t.dry = false
		t.wet = true
	case msgSyncFailTasks:
		t.dry = false
		t.wet = true
		t.syncFail = true
	case msgApplying:
		t.record(msg, opApply, value(keyTask, kv, values))
	case msgPruning:
		t.record(msg, opPrune, value(keyTask, kv, values))
	case msgDeleting:
		if task := value(keyTask, kv, values); task != nil {
			t.bhc[task] = true
		}
	case msgDeletingRes:
		t.record(msg, opDelete, value(keyTask, kv, values))
	}
	if t.log != nil && t.log.Enabled(context.Background(), slog.LevelDebug) {
		t.log.Debug("gitops-engine: " + msg)
	}
}

func (t *tracer) record(msg string, op opKind, task any) {
	info, ok := parseTask(task)
	if !ok {
		// never drop an operation: the replay fails with this instead
		t.unreadable = append(t.unreadable, fmt.Sprintf("%q with task %s", msg, describe(task)))
		return
	}
	t.events = append(t.events, event{op: op, dry: t.dry, bhc: t.bhc[task], task: task, at: t.clock(), info: info})
}

func (t *tracer) take() (events []event, tasks []taskInfo, syncFail, wet bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	tasks, bad := parseTasks(t.tasks)
	t.unreadable = append(t.unreadable, bad...)
	return slices.Clone(t.events), tasks, t.syncFail, t.wet
}

// check returns an error when the round logged an operation or a task list whose tasks could
// not be read (call it after take).
func (t *tracer) check() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.unreadable) == 0 {
		return nil
	}
	return fmt.Errorf("%w: gitops-engine logged %s", errScrape, strings.Join(t.unreadable, "; "))
}

// errScrape marks a disagreement between gitops-engine's logs or results and what the tracer
// reads from them: the pinned gitops-engine changed (see trace_contract_test.go).
var errScrape = errors.New("replay: cannot follow gitops-engine (its log format changed?)")

func describe(v any) string {
	if s, ok := v.(fmt.Stringer); ok && v != nil && !isNilPointer(v) {
		return fmt.Sprintf("%q (%T)", s.String(), v)
	}
	return fmt.Sprintf("%v (%T)", v, v)
}

// isNilPointer reports whether v holds a nil pointer, whose String method may panic.
func isNilPointer(v any) bool {
	rv := reflect.ValueOf(v)
	return rv.Kind() == reflect.Pointer && rv.IsNil()
}

type sink struct {
	t      *tracer
	values []any
}

func (s *sink) Init(logr.RuntimeInfo)             {}
func (s *sink) Enabled(int) bool                  { return true }
func (s *sink) Info(_ int, msg string, kv ...any) { s.t.observe(msg, s.values, kv) }
func (s *sink) Error(err error, msg string, _ ...any) {
	s.t.mu.Lock()
	s.t.lastError = fmt.Sprintf("%s: %v", msg, err)
	s.t.mu.Unlock()
	if s.t.log != nil {
		s.t.log.Debug("gitops-engine error: "+msg, "err", err)
	}
}
func (s *sink) WithValues(kv ...any) logr.LogSink {
	return &sink{t: s.t, values: append(slices.Clip(s.values), kv...)}
}
func (s *sink) WithName(string) logr.LogSink { return s }
