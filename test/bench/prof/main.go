// Command prof runs one of wavecheck's hot paths in-process, as the CLI does, under the Go
// profiler, to find where a benchmark target is lost (the wavecheck binary has no profiling flag):
//
//	go run ./test/bench/prof -what lint -cpuprofile lint.prof /tmp/bench/5000/dir
//	go tool pprof -top lint.prof
//
// -what is render (render.Render), lint (render, then policy.New and Evaluate with the built-in
// rules, as validate and generate do), replay (render, then engine.Replay on the simulated
// cluster) or plan (render, then engine.Plan). -n repeats the measured step (after one
// untimed run) so short paths give enough samples; each step's wall time goes to stderr.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/wavecheck/wavecheck/engine"
	"github.com/wavecheck/wavecheck/internal/manifest"
	"github.com/wavecheck/wavecheck/plugin/render"
	"github.com/wavecheck/wavecheck/policy"
)

func main() {
	what := flag.String("what", "lint", "path to run: render, lint, replay or plan")
	n := flag.Int("n", 1, "times to run the measured step")
	cpu := flag.String("cpuprofile", "", "write a CPU profile of the measured steps to this file")
	mem := flag.String("memprofile", "", "write an allocation profile after the measured steps to this file")
	repoRoot := flag.String("repo-root", "", "render.Options.RepoRoot (default: as the CLI)")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: prof [-what render|lint|replay|plan] [-n N] [-cpuprofile FILE] [-memprofile FILE] DIR")
		os.Exit(2)
	}
	if err := run(context.Background(), *what, flag.Arg(0), *repoRoot, *n, *cpu, *mem); err != nil {
		slog.Error("profile", "err", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, what, dir, repoRoot string, n int, cpuFile, memFile string) (err error) {
	step, err := stepFor(what, dir, repoRoot)
	if err != nil {
		return err
	}
	if err := step(ctx); err != nil { // untimed: caches, lazy initialisation
		return err
	}
	if cpuFile != "" {
		f, cerr := os.Create(cpuFile)
		if cerr != nil {
			return fmt.Errorf("create cpu profile: %w", cerr)
		}
		// after StopCPUProfile (deferred below, so run first) has written the profile's end
		defer func() {
			if cerr := f.Close(); cerr != nil && err == nil {
				err = fmt.Errorf("write cpu profile: %w", cerr)
			}
		}()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("start cpu profile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	for i := 0; i < n; i++ {
		start := time.Now()
		if err := step(ctx); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "%s %s: %v\n", what, dir, time.Since(start).Round(time.Millisecond))
	}
	if memFile != "" {
		f, err := os.Create(memFile)
		if err != nil {
			return fmt.Errorf("create memory profile: %w", err)
		}
		runtime.GC()
		if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
			_ = f.Close() // the write error above is the one to report
			return fmt.Errorf("write memory profile: %w", err)
		}
		if err := f.Close(); err != nil {
			return fmt.Errorf("write memory profile: %w", err)
		}
	}
	return nil
}

// cpuTime is the user+system CPU time of the process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// stepFor returns the measured step. Every step renders: the CLI commands do.
func stepFor(what, dir, repoRoot string) (func(context.Context) error, error) {
	renderObjs := func(ctx context.Context) ([]manifest.Object, error) {
		res, err := render.Render(ctx, dir, render.Options{RepoRoot: repoRoot})
		if err != nil {
			return nil, err
		}
		return res.Objects, nil
	}
	switch what {
	case "render":
		return func(ctx context.Context) error { _, err := renderObjs(ctx); return err }, nil
	case "lint":
		return func(ctx context.Context) error {
			t0, c0 := time.Now(), cpuTime()
			objs, err := renderObjs(ctx)
			if err != nil {
				return err
			}
			t1, c1 := time.Now(), cpuTime()
			eng, err := policy.New(ctx, policy.Options{})
			if err != nil {
				return err
			}
			t2, c2 := time.Now(), cpuTime()
			_, err = eng.Evaluate(ctx, objs)
			t3, c3 := time.Now(), cpuTime()
			ms := func(d time.Duration) time.Duration { return d.Round(time.Millisecond) }
			fmt.Fprintf(os.Stderr, "  wall/cpu: render %v/%v, policy.New %v/%v, Evaluate %v/%v\n",
				ms(t1.Sub(t0)), ms(c1-c0), ms(t2.Sub(t1)), ms(c2-c1), ms(t3.Sub(t2)), ms(c3-c2))
			return err
		}, nil
	case "replay":
		return func(ctx context.Context) error {
			objs, err := renderObjs(ctx)
			if err != nil {
				return err
			}
			rep, err := engine.Replay(ctx, objs, engine.Options{})
			if err != nil {
				return err
			}
			if rep.Phase != "Succeeded" {
				return fmt.Errorf("replay %s: %s %s", dir, rep.Phase, rep.Message)
			}
			fmt.Fprintf(os.Stderr, "  %d objects, %d steps, %d rounds (sync contexts built)\n", len(objs), len(rep.Steps), rep.Rounds)
			return nil
		}, nil
	case "plan":
		return func(ctx context.Context) error {
			objs, err := renderObjs(ctx)
			if err != nil {
				return err
			}
			_, err = engine.Plan(ctx, objs, engine.Options{})
			return err
		}, nil
	}
	return nil, fmt.Errorf("unknown -what %q: want render, lint, replay or plan", what)
}
