package engine

import (
	"context"
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

// taskInfo is what a task's String() says: "<phase>/<wave> hook|resource <group>/<kind>:<ns>/<name> ...".
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

// parseTasks reads a logged task list (gitops-engine's syncTasks, a slice of *syncTask).
func parseTasks(v any) []taskInfo {
	rv := reflect.ValueOf(v)
	if !rv.IsValid() || rv.Kind() != reflect.Slice {
		return nil
	}
	out := make([]taskInfo, 0, rv.Len())
	for i := 0; i < rv.Len(); i++ {
		if t, ok := parseTask(rv.Index(i).Interface()); ok {
			out = append(out, t)
		}
	}
	return out
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
}

func newTracer(clock func() time.Duration, log *slog.Logger) *tracer {
	return &tracer{clock: clock, log: log, bhc: map[any]bool{}}
}

func (t *tracer) reset() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.dry, t.wet, t.events, t.syncFail, t.bhc, t.lastError = false, false, nil, false, map[any]bool{}, ""
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
	case "Tasks (dry-run)":
		t.dry = true
		t.tasks = value("tasks", kv, values)
	case "Tasks":
		t.tasks = value("tasks", kv, values)
	case "Wet-run":
		t.dry = false
		t.wet = true
	case "Running sync fail tasks":
		t.dry = false
		t.wet = true
		t.syncFail = true
	case "Applying":
		t.record(opApply, value("task", kv, values))
	case "Pruning":
		t.record(opPrune, value("task", kv, values))
	case "Deleting":
		if task := value("task", kv, values); task != nil {
			t.bhc[task] = true
		}
	case "Deleting resource":
		task := value("task", kv, values)
		t.record(opDelete, task)
	}
	if t.log != nil && t.log.Enabled(context.Background(), slog.LevelDebug) {
		t.log.Debug("gitops-engine: " + msg)
	}
}

func (t *tracer) record(op opKind, task any) {
	info, ok := parseTask(task)
	if !ok {
		return
	}
	t.events = append(t.events, event{op: op, dry: t.dry, bhc: t.bhc[task], task: task, at: t.clock(), info: info})
}

func (t *tracer) take() (events []event, tasks []taskInfo, syncFail, wet bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return slices.Clone(t.events), parseTasks(t.tasks), t.syncFail, t.wet
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
