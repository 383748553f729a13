//go:build !sidecar

package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
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
	expect     string
	lb         string
	tracking   string
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
--expect FILE asserts the order and final phase (exit 1 with a diff when they differ); without
--expect, a sync that does not succeed exits 1. PATH is an app directory, a manifest file, or -
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
	fs.StringVar(&f.expect, "expect", "", "expectation file (YAML): final phase and steps per phase/wave; exit 1 with a diff when different")
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
		opts.Cluster = engine.Real(cfg)
		opts.Progress = g.stderr
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
	return opts, nil
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
			diagf(g.stderr, "wavecheck: replay differs from %s (-expected +actual):\n%s", f.expect, diff)
			return &ExitError{Code: ExitFindings}
		}
		return nil
	}
	if rep.Phase != "Succeeded" {
		return &ExitError{Code: ExitFindings}
	}
	return nil
}
