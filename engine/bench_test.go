package engine

import (
	"context"
	"fmt"
	"testing"

	"github.com/wavecheck/wavecheck/internal/manifest"
)

// generated returns an app of n objects over 10 waves (ConfigMaps, Services, Deployments) with a
// PreSync and a PostSync hook Job.
func generated(n int) []manifest.Object {
	objs := make([]manifest.Object, 0, n+2)
	for i := 0; i < n; i++ {
		wave := fmt.Sprint(i % 10)
		meta := map[string]any{"name": fmt.Sprintf("obj-%05d", i), "annotations": map[string]any{"argocd.argoproj.io/sync-wave": wave}}
		var o map[string]any
		switch i % 10 {
		case 0, 1, 2:
			o = map[string]any{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta, "spec": map[string]any{
				"replicas": int64(2),
				"selector": map[string]any{"matchLabels": map[string]any{"app": meta["name"]}},
				"template": map[string]any{"metadata": map[string]any{"labels": map[string]any{"app": meta["name"]}},
					"spec": map[string]any{"containers": []any{map[string]any{"name": "app", "image": "nginx"}}}},
			}}
		case 3:
			o = map[string]any{"apiVersion": "v1", "kind": "Service", "metadata": meta, "spec": map[string]any{"ports": []any{map[string]any{"port": int64(80)}}}}
		default:
			o = map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": map[string]any{"key": "value"}}
		}
		objs = append(objs, manifest.Object{Object: o})
	}
	for _, h := range []string{"PreSync", "PostSync"} {
		objs = append(objs, manifest.Object{Object: map[string]any{"apiVersion": "batch/v1", "kind": "Job",
			"metadata": map[string]any{"generateName": "hook-", "annotations": map[string]any{"argocd.argoproj.io/hook": h}},
			"spec": map[string]any{"template": map[string]any{"spec": map[string]any{"restartPolicy": "Never",
				"containers": []any{map[string]any{"name": "hook", "image": "busybox"}}}}}}})
	}
	return objs
}

func BenchmarkReplay(b *testing.B) {
	for _, n := range []int{50, 500, 5000} {
		objs := generated(n)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				rep, err := Replay(context.Background(), objs, Options{})
				if err != nil {
					b.Fatal(err)
				}
				if rep.Phase != "Succeeded" || len(rep.Steps) != n+2 {
					b.Fatalf("replay: %s %s, %d steps", rep.Phase, rep.Message, len(rep.Steps))
				}
				b.ReportMetric(float64(rep.Rounds), "rounds")
			}
		})
	}
}
