//go:build !sidecar

package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/wavecheck/wavecheck/engine"
	"github.com/wavecheck/wavecheck/engine/output"
	"github.com/wavecheck/wavecheck/internal/argocd"
	"github.com/wavecheck/wavecheck/internal/manifest"
	"github.com/wavecheck/wavecheck/internal/pipeline"
	"github.com/wavecheck/wavecheck/plugin/render"
)

type replayFlags struct {
	rf         renderFlags
	output     string
	durations  []string
	waveDelay  time.Duration
	timeout    time.Duration
	fail, hang []string
	live       string
	prune      bool
	del        bool
	kubeconfig string
	kubectx    string
	dryRun     bool
	yes        bool
	expect     string
	lb         string
	tracking   string
	progress   bool
	noProgress bool
}

func newReplayCmd(g *globals) *cobra.Command {
	var f replayFlags
	cmd := &cobra.Command{
		Use:   "replay PATH",
		Short: "Replay Argo CD's phased sync of an app with gitops-engine, on a simulated or real cluster",
		Long: `replay renders the app and drives gitops-engine (the sync engine inside Argo CD) round by round
exactly as Argo CD's controller does, on an embedded simulated cluster (default) or a real one
(--kubeconfig), and prints every step with its phase and effective wave.

The simulated cluster completes Jobs and Pods, makes Deployments, StatefulSets and DaemonSets
available, on a simulated clock (--duration, --wave-delay). Like a real cluster, it refuses pods
whose ServiceAccount does not exist yet, never starts containers whose Secret, ConfigMap or PVC
is missing (they start once it is created), serves a custom resource only when its CRD is in the
app or --live, and runs Argo CD (the argocd namespace and its CRDs exist). LoadBalancer Services
get an address after a delay (--load-balancer cloud) or never (--load-balancer none); the report
says which was assumed. --fail and --hang inject faults on objects of the app.
--expect FILE asserts the order and final phase (exit 1 with a unified diff of the file when
they differ); without --expect, a sync that does not succeed exits 1. Progress goes to stderr
when the replay runs longer than 2s on a terminal (--progress: always; --no-progress: never).
The text report lists the hooks deleted by their delete policy in a clean-up section after the
phases, and what never ran; JSON has the same under "cleanup" steps and "notRun". PATH is an app directory, a manifest file, or -
for a manifest stream on stdin (one app: a sync is per app). --application FILE replays an Argo
CD Application: its sources rendered with its settings, synced into its destination namespace
with its syncPolicy.syncOptions (CreateNamespace, PruneLast, ServerSideApply, ApplyOutOfSyncOnly,
Replace, Prune=false, SkipDryRunOnMissingResource...).`,
		Args: oneApp(&f.rf),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runReplay(cmd.Context(), g, &f, args)
		},
	}
	fs := cmd.Flags()
	f.rf.register(fs)
	fs.StringVarP(&f.output, "output", "o", "text", "report format: text, json, mermaid, or expect (an --expect file for this run)")
	fs.StringArrayVar(&f.durations, "duration", nil, "simulated time to health of a kind, KIND=DURATION, e.g. Job=30s (repeatable)")
	fs.DurationVar(&f.waveDelay, "wave-delay", engine.DefaultWaveDelay, "pause between waves (Argo CD's ARGOCD_SYNC_WAVE_DELAY)")
	fs.DurationVar(&f.timeout, "timeout", engine.DefaultTimeout, "terminate a sync still running after this long")
	fs.StringArrayVar(&f.fail, "fail", nil, "simulated: KIND/NAME fails (Job/Pod fail, Deployment degrades, other kinds: apply rejected) (repeatable)")
	fs.StringArrayVar(&f.hang, "hang", nil, "simulated: KIND/NAME never becomes healthy (repeatable)")
	fs.StringVar(&f.lb, "load-balancer", engine.LoadBalancerCloud, "simulated: the cluster's load balancer for LoadBalancer Services: cloud (an address after --duration Service=, default 2s) or none (never: Argo CD keeps them Progressing)")
	fs.StringVar(&f.tracking, "tracking-method", "", "Argo CD's resource tracking method (argocd-cm application.resourceTrackingMethod): "+strings.Join(argocd.TrackingMethods(), ", ")+" (default annotation, as Argo CD 3.x): with annotation tracking an app with a non-string annotation value is refused before any sync")
	fs.StringVar(&f.live, "live", "", "simulated: YAML file or directory of objects that already exist (managed by the app unless their Argo CD tracking names another app)")
	fs.BoolVar(&f.prune, "prune", false, "prune managed live objects that are not in the app")
	fs.BoolVar(&f.del, "delete", false, "replay the app deletion (PreDelete hooks, deletion, PostDelete hooks) instead of a sync")
	fs.StringVar(&f.kubeconfig, "kubeconfig", "", "replay against the real cluster of this kubeconfig")
	fs.StringVar(&f.kubectx, "context", "", "kubeconfig context (with --kubeconfig)")
	fs.BoolVar(&f.dryRun, "dry-run", false, "dry-run sync (server-side dry-run on a real cluster)")
	fs.BoolVarP(&f.yes, "yes", "y", false, "with --kubeconfig and without --dry-run: apply to the cluster without asking for confirmation")
	fs.StringVar(&f.expect, "expect", "", "expectation file (YAML or JSON): final phase and steps per phase/wave; exit 1 with a unified diff of the file when different")
	fs.BoolVar(&f.progress, "progress", false, "print progress lines on stderr from the start (default: on a terminal, once the replay runs longer than 2s; always against a real cluster)")
	fs.BoolVar(&f.noProgress, "no-progress", false, "never print progress lines")
	return cmd
}

// applyApp gives the sync the Application's destination namespace, name and sync options.
func applyApp(o *engine.Options, app *pipeline.App) {
	if app == nil {
		return
	}
	if ns := app.DestinationNamespace(); ns != "" {
		o.Namespace = ns
	}
	o.AppName = app.Name
	o.SyncOptions = app.SyncOptions()
	if p := app.Spec.SyncPolicy; p != nil && p.ManagedNamespaceMetadata != nil {
		o.ManagedNamespaceMetadata = &engine.NamespaceMetadata{Labels: p.ManagedNamespaceMetadata.Labels, Annotations: p.ManagedNamespaceMetadata.Annotations}
	}
}

func parseDurations(specs []string) (map[string]time.Duration, error) {
	out := map[string]time.Duration{}
	for _, s := range specs {
		k, v, ok := strings.Cut(s, "=")
		if !ok || k == "" {
			return nil, usageError("parse --duration %q: want KIND=DURATION", s)
		}
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			return nil, usageError("parse --duration %q: invalid duration %q", s, v)
		}
		out[k] = d
	}
	return out, nil
}

// renderPath renders a YAML file or a directory of YAML files as plain manifests.
func renderPath(ctx context.Context, path string, base render.Options) ([]manifest.Object, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	opts := render.Options{SourceType: render.Directory, Recurse: true, RepoRoot: base.RepoRoot,
		MaxFileBytes: base.MaxFileBytes, MaxTotalBytes: base.MaxTotalBytes}
	dir := path
	if !st.IsDir() {
		dir = filepath.Dir(path)
		opts.Recurse = false
		opts.Include = []string{filepath.Base(path)}
	}
	res, err := render.Render(ctx, dir, opts)
	if err != nil {
		return nil, err
	}
	return res.Objects, nil
}

func (f *replayFlags) engineOptions(ctx context.Context, g *globals, ro render.Options) (engine.Options, error) {
	opts := engine.Options{Namespace: ro.Namespace, AppName: ro.AppName, Prune: f.prune, DryRun: f.dryRun, Timeout: f.timeout}
	if f.tracking != "" {
		m, err := argocd.ParseTrackingMethod(f.tracking)
		if err != nil {
			return opts, usageError("parse --tracking-method: %v", err)
		}
		opts.TrackingMethod = m
	}
	opts.WaveDelay = f.waveDelay
	if f.waveDelay == 0 {
		opts.WaveDelay = engine.NoWaveDelay
	}
	if f.waveDelay < 0 {
		return opts, usageError("--wave-delay must not be negative")
	}
	if f.timeout < 0 {
		return opts, usageError("--timeout must not be negative")
	}
	if !slices.Contains(engine.LoadBalancers(), f.lb) {
		return opts, usageError("invalid --load-balancer %q: want %s", f.lb, strings.Join(engine.LoadBalancers(), " or "))
	}
	for _, r := range append(append([]string{}, f.fail...), f.hang...) {
		if _, _, err := engine.ParseRef(r); err != nil {
			return opts, usageError("%v", err)
		}
	}
	if f.kubeconfig != "" {
		if len(f.fail) > 0 || len(f.hang) > 0 || f.live != "" || len(f.durations) > 0 || f.lb != engine.LoadBalancerCloud {
			return opts, usageError("--fail, --hang, --live, --duration and --load-balancer only apply to the simulated cluster (not with --kubeconfig)")
		}
		rules := &clientcmd.ClientConfigLoadingRules{ExplicitPath: f.kubeconfig}
		cc := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{CurrentContext: f.kubectx})
		cfg, err := cc.ClientConfig()
		if err != nil {
			return opts, &ExitError{Code: ExitFailure, Err: fmt.Errorf("load kubeconfig %s: %w", f.kubeconfig, err)}
		}
		raw, _ := cc.RawConfig()
		name := f.kubectx
		if name == "" {
			name = raw.CurrentContext
		}
		diagf(g.stderr, "wavecheck: replaying against %s (context %q)\n", cfg.Host, name)
		if err := f.confirm(g, cfg.Host, name); err != nil {
			return opts, err
		}
		opts.Cluster = engine.Real(cfg)
		if !f.noProgress {
			opts.Progress = g.stderr
		}
		return opts, nil
	}
	if f.kubectx != "" {
		return opts, usageError("--context needs --kubeconfig")
	}
	durations, err := parseDurations(f.durations)
	if err != nil {
		return opts, err
	}
	sim := engine.SimOptions{Durations: durations, Fail: f.fail, Hang: f.hang, LoadBalancer: f.lb}
	if f.live != "" {
		if err := checkFlagPath("--live", f.live, ro.MaxFileBytes, true); err != nil {
			return opts, usageError("%v", err)
		}
		live, err := renderPath(ctx, f.live, ro)
		if err != nil {
			return opts, &ExitError{Code: ExitFailure, Err: fmt.Errorf("read --live: %w", err)}
		}
		sim.Live = live
	}
	opts.Cluster = engine.Simulated(sim)
	switch {
	case f.progress:
		opts.Progress = g.stderr
	case !f.noProgress && isTerminal(g.stderr):
		opts.Progress = &delayed{w: g.stderr, after: progressAfter, since: time.Now()}
	}
	return opts, nil
}

// progressAfter is how long a replay runs on a terminal before it prints progress: a small app
// replays in well under a second, and its report alone is what the user wants.
const progressAfter = 2 * time.Second

// delayed drops what is written to it until after has passed since since, then writes through.
type delayed struct {
	w     io.Writer
	after time.Duration
	since time.Time
	now   func() time.Time // time.Now when nil
}

// Write implements io.Writer.
func (d *delayed) Write(p []byte) (int, error) {
	now := time.Now
	if d.now != nil {
		now = d.now
	}
	if now().Sub(d.since) < d.after {
		return len(p), nil
	}
	return d.w.Write(p) //nolint:wrapcheck // a pass-through writer
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// confirm asks before a replay that applies to a real cluster (not --dry-run): on a terminal
// it reads y or yes from standard input; elsewhere (CI, a pipe) it refuses unless --yes.
func (f *replayFlags) confirm(g *globals, host, context string) error {
	if f.dryRun || f.yes {
		return nil
	}
	in, ok := g.stdin.(*os.File)
	if !ok || !term.IsTerminal(int(in.Fd())) {
		return usageError("a replay against a real cluster applies the app to %s (context %q): pass --dry-run for a server-side dry run, or --yes to apply without this question (standard input is not a terminal)", host, context)
	}
	diagf(g.stderr, "Apply the app to %s (context %q)? [y/N] ", host, context)
	answer, err := bufio.NewReader(in).ReadString('\n')
	if err != nil && answer == "" {
		return usageError("no confirmation read: pass --yes to apply, or --dry-run")
	}
	switch strings.ToLower(strings.TrimSpace(answer)) {
	case "y", "yes":
		return nil
	}
	return usageError("not confirmed: nothing applied to %s", host)
}

func runReplay(ctx context.Context, g *globals, f *replayFlags, args []string) error {
	w, err := output.NewWriter(f.output)
	if err != nil {
		return usageError("invalid --output %q: want %s", f.output, strings.Join(output.Formats(), ", "))
	}
	var want *engine.Expectation
	if f.expect != "" {
		data, err := readFlagFile("--expect", f.expect, maxFlagFileBytes)
		if err != nil {
			return usageError("%v", err)
		}
		if want, err = engine.ParseExpectation(data, f.expect); err != nil {
			return usageError("%v", err)
		}
	}
	if f.progress && f.noProgress {
		return usageError("--progress and --no-progress exclude each other")
	}
	ro, err := f.rf.options()
	if err != nil {
		return err
	}
	opts, err := f.engineOptions(ctx, g, ro)
	if err != nil {
		return err
	}
	res, app, err := syncInput(ctx, g, &f.rf, args, ro)
	if err != nil {
		return err
	}
	applyApp(&opts, app)
	replay := engine.Replay
	if f.del {
		replay = engine.ReplayDelete
	}
	rep, err := replay(ctx, res.Objects, opts)
	if err != nil {
		if ue := (*engine.UnknownRefError)(nil); errors.As(err, &ue) {
			return usageError("%v", ue)
		}
		return &ExitError{Code: ExitFailure, Err: err}
	}
	if err := w.Write(g.stdout, rep); err != nil {
		return &ExitError{Code: ExitFailure, Err: err}
	}
	if want != nil {
		if diff := want.Check(rep); diff != "" {
			diagf(g.stderr, "wavecheck: replay differs from %s:\n%s", f.expect, diff)
			return &ExitError{Code: ExitFindings}
		}
		return nil
	}
	if rep.Phase != "Succeeded" {
		return &ExitError{Code: ExitFindings}
	}
	return nil
}
