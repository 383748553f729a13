package output

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wavecheck/wavecheck/engine"
)

func TestNewWriter(t *testing.T) {
	tests := []struct {
		format, want string
		plan, err    bool
	}{
		{format: "", want: "text"},
		{format: "text", want: "text"},
		{format: " JSON ", want: "json"},
		{format: "mermaid", want: "mermaid"},
		{format: "expect", want: "expect"},
		{format: "table", want: "text"},
		{format: "yaml", err: true},
		{format: "", want: "text", plan: true},
		{format: "table", want: "text", plan: true},
		{format: "TEXT", want: "text", plan: true},
		{format: "json", want: "json", plan: true},
		{format: "mermaid", want: "mermaid", plan: true},
		{format: "expect", plan: true, err: true},
	}
	for _, tc := range tests {
		var got string
		var err error
		if tc.plan {
			var w PlanWriter
			if w, err = NewPlanWriter(tc.format); err == nil {
				got = w.Format()
			}
		} else {
			var w Writer
			if w, err = NewWriter(tc.format); err == nil {
				got = w.Format()
			}
		}
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("format %q (plan %v) = %q, %v; want %q, error %v", tc.format, tc.plan, got, err, tc.want, tc.err)
		}
	}
	if diff := cmp.Diff([]string{"text", "json", "mermaid", "expect"}, Formats()); diff != "" {
		t.Errorf("formats (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"text", "json", "mermaid"}, PlanFormats()); diff != "" {
		t.Errorf("plan formats (-want +got):\n%s", diff)
	}
}

// failingWriter fails every write, like a closed pipe.
type failingWriter struct{}

var errClosed = errors.New("write on closed pipe")

func (failingWriter) Write([]byte) (int, error) { return 0, errClosed }

// The table writers keep the first error of their fmt.Fprintf and tabwriter.Flush calls
// (sticky): every writer must return the error of its destination, not drop it.
func TestWritersReturnWriteErrors(t *testing.T) {
	rep := &engine.Report{Phase: "Succeeded", Target: "simulated cluster",
		Steps: []engine.Step{{Seq: 1, SyncPhase: "Sync", Action: "apply", Kind: "ConfigMap", Namespace: "default", Name: "cfg", Result: "Synced"}}}
	plan := &engine.PlanResult{Tasks: []engine.Task{{Phase: "Sync", Action: "apply", Kind: "ConfigMap", Namespace: "default", Name: "cfg"}}}
	for _, w := range writers {
		if err := w.Write(failingWriter{}, rep); !errors.Is(err, errClosed) {
			t.Errorf("%s writer: error %v, want %v", w.Format(), err, errClosed)
		}
	}
	for _, w := range planWriters {
		if err := w.Write(failingWriter{}, plan); !errors.Is(err, errClosed) {
			t.Errorf("%s plan writer: error %v, want %v", w.Format(), err, errClosed)
		}
	}
}
