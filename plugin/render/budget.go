package render

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"runtime/debug"
	"runtime/metrics"
	"sync/atomic"
	"time"
)

// Rendering budgets. A repository can make Helm loop (`range until 1e10`), Kustomize multiply
// resources or patches, and both produce far more output than they read, so rendering has a
// deadline and bounds on what it produces, each named in its error with the flag (and the
// sidecar variable) that raises it.
const (
	// DefaultTimeout is the render deadline. The application controller gives the whole
	// manifest generation 60 s (--repo-server-timeout-seconds, cmd/argocd-application-controller);
	// the cmp-server stops the plugin 100 ms before that (cmpserver/plugin.cmpTimeoutBuffer):
	// 45 s leaves the lint and the output their share.
	DefaultTimeout = 45 * time.Second
	// DefaultMaxObjects bounds the objects an app renders to.
	DefaultMaxObjects = 20000
	// DefaultMaxRenderedBytes bounds the YAML a renderer produces (Helm's output stream,
	// Kustomize's resources as YAML, a directory's documents).
	DefaultMaxRenderedBytes = 256 << 20
	// DefaultMaxMemory bounds the heap while rendering (a template can allocate without
	// producing output); the sidecar's container limit is the backstop.
	DefaultMaxMemory = 1 << 30
)

// Limit names a bound for error messages: the command-line flag and the sidecar variable that
// raise it.
type Limit struct {
	Flag string
	Env  string
}

// The limits, as named in errors.
var (
	LimitTimeout       = Limit{"--render-timeout", "WAVECHECK_RENDER_TIMEOUT"}
	LimitFile          = Limit{"--max-file-size", "WAVECHECK_MAX_FILE_SIZE"}
	LimitTotal         = Limit{"--max-total-size", "WAVECHECK_MAX_TOTAL_SIZE"}
	LimitObjects       = Limit{"--max-objects", "WAVECHECK_MAX_OBJECTS"}
	LimitRenderedBytes = Limit{"--max-rendered-size", "WAVECHECK_MAX_RENDERED_SIZE"}
	LimitMemory        = Limit{"--max-render-memory", "WAVECHECK_MAX_RENDER_MEMORY"}
)

// Hint is the parenthesised advice ending a limit's error.
func (l Limit) Hint() string {
	return fmt.Sprintf("raise it with %s, or %s in the sidecar", l.Flag, l.Env)
}

// ErrLimit marks an input or output over one of the size or count limits.
var ErrLimit = errors.New("over a render limit")

// ErrDeadline marks a render stopped by its deadline.
var ErrDeadline = errors.New("render deadline exceeded")

func limitErr(format string, l Limit, a ...any) error {
	return fmt.Errorf("%w: %s (%s)", ErrLimit, fmt.Sprintf(format, a...), l.Hint())
}

// orDefault is v when set (positive), else the default: an Options field left zero means
// the default limit.
func orDefault[T int | int64 | time.Duration](v, def T) T {
	if v > 0 {
		return v
	}
	return def
}

func (o Options) timeout() time.Duration { return orDefault(o.Timeout, DefaultTimeout) }
func (o Options) maxObjects() int        { return orDefault(o.MaxObjects, DefaultMaxObjects) }
func (o Options) maxMemory() int64       { return orDefault(o.MaxMemoryBytes, DefaultMaxMemory) }
func (o Options) maxRendered() int64     { return orDefault(o.MaxRenderedBytes, DefaultMaxRenderedBytes) }

// step records what the render is doing, for the deadline's error.
type step struct{ v atomic.Pointer[string] }

func (s *step) set(format string, a ...any) {
	if s == nil {
		return
	}
	msg := fmt.Sprintf(format, a...)
	s.v.Store(&msg)
}

func (s *step) get() string {
	if p := s.v.Load(); p != nil {
		return *p
	}
	return "start"
}

// Render renders the application in dir within the render deadline (opts.Timeout).
//
// Helm's template engine and Kustomize cannot be interrupted: a template looping over
// `until 1e10` runs until it is done. Render therefore runs the renderer on its own goroutine
// and returns as soon as the deadline passes or ctx is cancelled (SIGTERM), with an error
// naming the step that ran out; the renderer is abandoned and stops when the process exits.
// wavecheck is a one-shot process (the cmp-server starts one per generate), and every command
// exits on a render error, so the process is the sandbox: this costs nothing on the normal
// path (no child process, no serialisation; see ARCHITECTURE.md). A long-lived caller that
// needs the CPU back must run Render in a process of its own.
func Render(ctx context.Context, dir string, opts Options) (*Result, error) {
	if opts.Timeout < 0 {
		return nil, fmt.Errorf("render app: the render timeout must be positive, got %s (%s)", opts.Timeout, LimitTimeout.Flag)
	}
	timeout := opts.timeout()
	ctx, cancel := context.WithTimeoutCause(ctx, timeout, ErrDeadline)
	defer cancel()
	st := &step{}
	type outcome struct {
		res *Result
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				slog.Debug("render panic", "stack", string(debug.Stack()))
				done <- outcome{err: fmt.Errorf("render app: internal error during %s: %v", st.get(), r)}
			}
		}()
		res, err := renderApp(ctx, dir, opts, st)
		done <- outcome{res, err}
	}()
	tick := time.NewTicker(memoryPoll)
	defer tick.Stop()
	for {
		select {
		case o := <-done:
			if o.err != nil && ctx.Err() != nil {
				return nil, stopped(ctx, dir, timeout, st)
			}
			return o.res, o.err
		case <-ctx.Done():
			return nil, stopped(ctx, dir, timeout, st)
		case <-tick.C:
			if heap := heapBytes(); heap > opts.maxMemory() {
				return nil, &Error{File: dirLabel(dir), Err: limitErr("rendering used %d MiB of memory during %s, more than the %d MiB limit", LimitMemory, heap>>20, st.get(), opts.maxMemory()>>20)}
			}
		}
	}
}

// memoryPoll is how often Render reads the heap size while the renderer runs.
const memoryPoll = 50 * time.Millisecond

var heapSample = []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}

// heapBytes is the memory taken by live and not yet swept heap objects.
func heapBytes() int64 {
	s := []metrics.Sample{heapSample[0]}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return int64(min(s[0].Value.Uint64(), 1<<62))
}

// dirLabel names the app directory in an error; the working directory (the plugin's case)
// needs no name, the step names the file.
func dirLabel(dir string) string {
	if d := filepath.Clean(dir); d != "." {
		return d
	}
	return ""
}

// DeadlineError is a render stopped by its deadline; it matches ErrDeadline.
type DeadlineError struct {
	Timeout time.Duration
	// Step is what the renderer was doing ("helm template of chart x").
	Step string
}

func (e *DeadlineError) Error() string {
	return fmt.Sprintf("rendering took longer than the %s render deadline and was stopped during %s (%s)", e.Timeout, e.Step, LimitTimeout.Hint())
}

// Is makes errors.Is(err, ErrDeadline) hold.
func (e *DeadlineError) Is(target error) bool { return target == ErrDeadline }

// stopped is the error of a render stopped by its deadline or by the caller.
func stopped(ctx context.Context, dir string, timeout time.Duration, st *step) error {
	if errors.Is(context.Cause(ctx), ErrDeadline) {
		return &Error{File: dirLabel(dir), Err: &DeadlineError{Timeout: timeout, Step: st.get()}}
	}
	return fmt.Errorf("render app: stopped during %s: %w", st.get(), context.Cause(ctx))
}
