package output

import (
	"testing"

	"github.com/google/go-cmp/cmp"
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
		{format: "table", err: true},
		{format: "", want: "table", plan: true},
		{format: "json", want: "json", plan: true},
		{format: "mermaid", plan: true, err: true},
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
	if diff := cmp.Diff([]string{"table", "json"}, PlanFormats()); diff != "" {
		t.Errorf("plan formats (-want +got):\n%s", diff)
	}
}
