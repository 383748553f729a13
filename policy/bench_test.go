package policy

import (
	"context"
	"fmt"
	"slices"
	"syscall"
	"testing"
	"testing/fstest"
	"time"

	"github.com/wavecheck/wavecheck/internal/manifest"
)

// benchObjects builds a realistic app: per group of 10 objects a ServiceAccount, ConfigMap,
// Secret, Deployment, Service, a PreSync Job hook using them, a CRD and a custom resource,
// spread over waves, with a few mistakes.
func benchObjects(n int) []manifest.Object {
	objs := make([]manifest.Object, 0, n)
	for i := 0; len(objs) < n; i++ {
		ns := fmt.Sprintf("ns-%d", i%20)
		wave := fmt.Sprint(i % 7)
		ann := func(extra ...string) map[string]any {
			m := map[string]any{"argocd.argoproj.io/sync-wave": wave}
			for j := 0; j+1 < len(extra); j += 2 {
				m[extra[j]] = extra[j+1]
			}
			return m
		}
		mk := func(apiVersion, kind, name string, a map[string]any, spec map[string]any) manifest.Object {
			md := map[string]any{"name": name, "namespace": ns, "annotations": a}
			o := map[string]any{"apiVersion": apiVersion, "kind": kind, "metadata": md}
			if spec != nil {
				o["spec"] = spec
			}
			return manifest.Object{Object: o, Source: manifest.Source{File: fmt.Sprintf("app/f%d.yaml", i), Line: len(objs) + 1}}
		}
		pod := map[string]any{"serviceAccountName": fmt.Sprintf("sa-%d", i), "restartPolicy": "Never",
			"containers": []any{map[string]any{"name": "c", "image": "x", "envFrom": []any{
				map[string]any{"configMapRef": map[string]any{"name": fmt.Sprintf("cm-%d", i)}},
				map[string]any{"secretRef": map[string]any{"name": fmt.Sprintf("s-%d", i)}},
			}}}}
		objs = append(objs,
			mk("v1", "ServiceAccount", fmt.Sprintf("sa-%d", i), ann(), nil),
			mk("v1", "ConfigMap", fmt.Sprintf("cm-%d", i), ann("argocd.argoproj.io/sync-options", "Prune=false"), nil),
			mk("v1", "Secret", fmt.Sprintf("s-%d", i), ann(), nil),
			mk("apps/v1", "Deployment", fmt.Sprintf("d-%d", i), ann(), map[string]any{"template": map[string]any{"spec": pod}}),
			mk("v1", "Service", fmt.Sprintf("svc-%d", i), ann(), nil),
			mk("batch/v1", "Job", fmt.Sprintf("j-%d", i), ann("argocd.argoproj.io/hook", "PreSync", "argocd.argoproj.io/hook-delete-policy", "HookSucceeded"),
				map[string]any{"backoffLimit": 1, "template": map[string]any{"spec": pod}}),
			mk("apiextensions.k8s.io/v1", "CustomResourceDefinition", fmt.Sprintf("w%d.example.com", i), ann(),
				map[string]any{"group": "example.com", "names": map[string]any{"kind": fmt.Sprintf("W%d", i)}}),
			mk("example.com/v1", fmt.Sprintf("W%d", i), fmt.Sprintf("w-%d", i), ann(), nil),
			mk("v1", "ConfigMap", fmt.Sprintf("typo-%d", i), ann("argocd.argoproj.io/sync-wave", "1.5"), nil),
			mk("policy/v1", "PodDisruptionBudget", fmt.Sprintf("pdb-%d", i), ann(), nil),
		)
	}
	return objs[:n]
}

func BenchmarkEvaluate(b *testing.B) {
	ctx := context.Background()
	e, err := New(ctx, Options{})
	if err != nil {
		b.Fatal(err)
	}
	for _, n := range []int{50, 500, 5000} {
		objs := benchObjects(n)
		b.Run(fmt.Sprintf("objects=%d", n), func(b *testing.B) {
			benchEvaluate(ctx, b, e, objs)
		})
	}
}

// cpuTime is the user+system CPU time of the process.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkEvaluateUserPolicy measures conftest-style rules, evaluated once per object.
func BenchmarkEvaluateUserPolicy(b *testing.B) {
	ctx := context.Background()
	fsys := fstest.MapFS{"p.rego": {Data: []byte(`package main

import data.wavecheck.lib

deny contains msg if {
	input.kind == "Deployment"
	not input.metadata.labels.team
	msg := "no team label"
}

warn_late_hook contains msg if {
	f := lib.facts(input)
	f.hook
	f.effectiveWave > 3
	msg := sprintf("hook in wave %d", [f.effectiveWave])
}
`)}}
	e, err := New(ctx, Options{Policies: []Source{{Name: "policy", FS: fsys}}, NoBuiltin: true})
	if err != nil {
		b.Fatal(err)
	}
	benchEvaluate(ctx, b, e, benchObjects(5000))
}

// benchEvaluate runs e over objs in the benchmark loop, requiring findings, and reports the
// process CPU time per evaluation next to wall time (the machine may be shared).
func benchEvaluate(ctx context.Context, b *testing.B, e *Linter, objs []manifest.Object) {
	start := cpuTime()
	for b.Loop() {
		res, err := e.Evaluate(ctx, objs)
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Findings) == 0 {
			b.Fatal("no findings")
		}
	}
	b.ReportMetric(float64((cpuTime()-start).Milliseconds())/float64(b.N), "cpu-ms/op")
}

// BenchmarkNew measures what compiling the whole built-in rule pack costs: parsing, compiling
// and preparing one query per rule (what New did in every process before gate.go; it still
// does with user policies).
func BenchmarkNew(b *testing.B) {
	ctx := context.Background()
	b.Run("parse", func(b *testing.B) {
		for b.Loop() {
			if _, err := builtinModules(false); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parse+compile", func(b *testing.B) {
		for b.Loop() {
			mods, err := builtinModules(false)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := compile(mods); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("new-eager", func(b *testing.B) {
		for b.Loop() {
			if _, err := New(ctx, Options{eager: true}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkFirstEvaluation is what a process pays for the lint of a small app (a Deployment
// and a Service, no Argo CD annotations, like kustomize-guestbook): New and one Evaluate,
// compiling every built-in rule (eager, as before gate.go) or only those the app can trigger.
func BenchmarkFirstEvaluation(b *testing.B) {
	ctx := context.Background()
	objs := []manifest.Object{
		{Object: map[string]any{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": map[string]any{"name": "guestbook-ui"},
			"spec": map[string]any{"replicas": 1, "template": map[string]any{"spec": map[string]any{"containers": []any{map[string]any{"name": "c", "image": "x"}}}}}}},
		{Object: map[string]any{"apiVersion": "v1", "kind": "Service", "metadata": map[string]any{"name": "guestbook-ui"}}},
	}
	// The same with what test/bench/gen puts in its 10-object app: a PreSync hook Job with its
	// ServiceAccount, a CRD and one of its custom resources, which keep the hook rules and
	// cr-without-crd (the start-generate row of make bench).
	hooked := append(slices.Clone(objs),
		manifest.Object{Object: map[string]any{"apiVersion": "batch/v1", "kind": "Job", "metadata": map[string]any{"name": "migrate",
			"annotations": map[string]any{"argocd.argoproj.io/hook": "PreSync", "argocd.argoproj.io/hook-delete-policy": "BeforeHookCreation"}},
			"spec": map[string]any{"template": map[string]any{"spec": map[string]any{"serviceAccountName": "migrate", "restartPolicy": "Never"}}}}},
		manifest.Object{Object: map[string]any{"apiVersion": "v1", "kind": "ServiceAccount", "metadata": map[string]any{"name": "migrate"}}},
		manifest.Object{Object: map[string]any{"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": map[string]any{"name": "widgets.example.com"},
			"spec": map[string]any{"group": "example.com", "names": map[string]any{"kind": "Widget"}}}},
		manifest.Object{Object: map[string]any{"apiVersion": "example.com/v1", "kind": "Widget", "metadata": map[string]any{"name": "w"}}},
	)
	for _, app := range []struct {
		name string
		objs []manifest.Object
	}{{"plain", objs}, {"hooks", hooked}} {
		for _, eager := range []bool{true, false} {
			name := app.name + "/gated"
			if eager {
				name = app.name + "/eager"
			}
			b.Run(name, func(b *testing.B) {
				for b.Loop() {
					l, err := New(ctx, Options{eager: eager})
					if err != nil {
						b.Fatal(err)
					}
					if _, err := l.Evaluate(ctx, app.objs); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
