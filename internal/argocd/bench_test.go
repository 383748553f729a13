package argocd

import (
	"fmt"
	"testing"

	"github.com/wavecheck/wavecheck/internal/manifest"
)

// benchObjects returns n objects over 20 waves: per group of five a Namespace, a CRD, a custom
// resource, a Deployment and a PreSync hook Job.
func benchObjects(n int) []manifest.Object {
	objs := make([]manifest.Object, 0, n)
	for i := 0; len(objs) < n; i++ {
		ann := map[string]any{"argocd.argoproj.io/sync-wave": fmt.Sprint(i % 20)}
		md := func(name, ns string, a map[string]any) map[string]any {
			m := map[string]any{"name": name, "annotations": a}
			if ns != "" {
				m["namespace"] = ns
			}
			return m
		}
		ns := fmt.Sprintf("ns-%d", i)
		objs = append(objs,
			manifest.Object{Object: map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": md(ns, "", ann)}},
			manifest.Object{Object: map[string]any{"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
				"metadata": md(fmt.Sprintf("w%d.example.com", i), "", ann),
				"spec":     map[string]any{"group": "example.com", "names": map[string]any{"kind": fmt.Sprintf("W%d", i)}}}},
			manifest.Object{Object: map[string]any{"apiVersion": "example.com/v1", "kind": fmt.Sprintf("W%d", i), "metadata": md("w", ns, ann)}},
			manifest.Object{Object: map[string]any{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": md("d", ns, ann)}},
			manifest.Object{Object: map[string]any{"apiVersion": "batch/v1", "kind": "Job", "metadata": md("j", ns, map[string]any{
				"argocd.argoproj.io/hook": "PreSync", "argocd.argoproj.io/hook-delete-policy": "HookSucceeded"})}},
		)
	}
	return objs[:n]
}

// BenchmarkPlan measures the fact builder and ordering the policy engine runs before every
// evaluation (Analyze per object, sort, Namespace and CRD moves).
func BenchmarkPlan(b *testing.B) {
	for _, n := range []int{50, 500, 5000} {
		objs := benchObjects(n)
		b.Run(fmt.Sprintf("objects=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				facts, tasks := Plan(objs, Options{})
				if len(facts) != n || len(tasks) < n {
					b.Fatalf("plan: %d facts, %d tasks for %d objects", len(facts), len(tasks), n)
				}
			}
		})
	}
}
