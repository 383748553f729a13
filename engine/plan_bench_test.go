package engine

import (
	"context"
	"fmt"
	"testing"
)

// BenchmarkPlan measures the ordering alone: gitops-engine's sync tasks for the app (phase,
// wave, kind, name; Namespaces and CRDs moved), without running health.
func BenchmarkPlan(b *testing.B) {
	for _, n := range []int{50, 500, 5000} {
		objs := generated(n)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				p, err := Plan(context.Background(), objs, Options{})
				if err != nil {
					b.Fatal(err)
				}
				if len(p.Tasks) != n+2 {
					b.Fatalf("plan: %d tasks, want %d", len(p.Tasks), n+2)
				}
			}
		})
	}
}
