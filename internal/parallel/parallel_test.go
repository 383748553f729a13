package parallel

import (
	"fmt"
	"sync/atomic"
	"testing"
)

func TestDo(t *testing.T) {
	tests := []struct {
		name    string
		n       int
		failAt  []int
		wantErr string
	}{
		{name: "none", n: 0},
		{name: "inline", n: 3},
		{name: "parallel", n: 1000},
		{name: "inline error", n: 3, failAt: []int{1}, wantErr: "item 1"},
		// Several items fail: the error is the lowest index's, as in a sequential run.
		{name: "lowest error wins", n: 500, failAt: []int{499, 17, 250}, wantErr: "item 17"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			seen := make([]atomic.Int32, tc.n)
			fail := map[int]bool{}
			for _, i := range tc.failAt {
				fail[i] = true
			}
			err := Do(tc.n, func(i int) error {
				seen[i].Add(1)
				if fail[i] {
					return fmt.Errorf("item %d", i)
				}
				return nil
			})
			if tc.wantErr == "" && err != nil {
				t.Fatalf("Do: %v", err)
			}
			if tc.wantErr != "" && (err == nil || err.Error() != tc.wantErr) {
				t.Fatalf("Do error = %v, want %q", err, tc.wantErr)
			}
			if len(tc.failAt) > 0 && tc.n < 4 {
				return // the inline path stops at the first error
			}
			for i := range seen {
				if got := seen[i].Load(); got != 1 {
					t.Fatalf("item %d ran %d times, want 1", i, got)
				}
			}
		})
	}
}
