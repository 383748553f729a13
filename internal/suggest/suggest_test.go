package suggest

import "testing"

func TestClosest(t *testing.T) {
	ids := []string{"hook-unknown-type", "sync-option-unknown", "application-wave-health"}
	tests := []struct{ in, want string }{
		{"hook-unknown-typ", "hook-unknown-type"},
		{"HOOK-UNKNOWN-TYPE", "hook-unknown-type"},
		{"sync-opton-unknown", "sync-option-unknown"},
		{"something-else-entirely", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Closest(tt.in, ids); got != tt.want {
			t.Errorf("Closest(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := Closest("x", nil); got != "" {
		t.Errorf("Closest with no candidates = %q", got)
	}
}
