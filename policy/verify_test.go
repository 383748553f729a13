package policy

import (
	"context"
	"testing"
)

func TestBuiltinRegoTests(t *testing.T) {
	results, err := Verify(context.Background(), Options{})
	if err != nil {
		t.Fatalf("Verify() error = %v", err)
	}
	if len(results) == 0 {
		t.Fatal("Verify() ran no tests")
	}
	for _, r := range results {
		if !r.Passed() {
			t.Errorf("%s:%d %s.%s: %s %s %s", r.File, r.Line, r.Package, r.Name, r.Outcome, r.Error, r.Output)
		}
	}
}
