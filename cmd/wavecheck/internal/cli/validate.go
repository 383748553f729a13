package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/wavecheck/wavecheck/internal/argocd"
	"github.com/wavecheck/wavecheck/internal/pipeline"
	"github.com/wavecheck/wavecheck/internal/suggest"
	"github.com/wavecheck/wavecheck/plugin/render"
	"github.com/wavecheck/wavecheck/policy"
	"github.com/wavecheck/wavecheck/policy/report"
)

// validateFlags are validate's own flags; the render flags are shared with render.
type validateFlags struct {
	outputs       []string
	config        string
	policies      []string
	data          []string
	namespaces    []string
	allNamespaces bool
	ignore        []string
	argocdVersion string
	failOnWarn    bool
	minSeverity   string
	color         string
	timeout       time.Duration
	regoVersion   string
	tracking      string
	severity      []string
	determinism   bool
}

func newValidateCmd(g *globals) *cobra.Command {
	var rf renderFlags
	var vf validateFlags
	cmd := &cobra.Command{
		Use:   "validate [PATH...] [--application FILE]...",
		Short: "Render an app like Argo CD and lint its sync waves, hooks and sync options",
		Long: `validate renders each PATH as Argo CD's repo-server would (same flags as render), then
evaluates the built-in rule pack and any --policy directories (conftest-compatible Rego: deny,
violation and warn rules in package main by default) over the rendered objects.

A PATH is an app directory, a manifest file, or - for a manifest stream on stdin (e.g.
helm template ... | wavecheck validate -); files and stdin are linted as they are. Several
PATHs give one report across them (SARIF: one run per app; JSON: {"version","apps","summary"}).

--application FILE validates what Argo CD renders for an Application: every source with its
helm, kustomize and directory settings (multi-source $values refs too); its destination
namespace and syncPolicy.syncOptions feed the rules. --applications DIR validates every
Application under DIR, one report across them. repoURLs resolve to local checkouts: the
repository holding the Application file, or --repo URL=DIR.

The report goes to stdout; logs go to stderr. Exit status: 0 clean, 1 when an error finding is
reported (or a warning with --fail-on-warn), 2 on a usage, render or policy failure.`,
		Example: `  wavecheck validate apps/guestbook
  wavecheck validate charts/app -f values-prod.yaml -o sarif > wavecheck.sarif
  wavecheck validate apps/api --policy policy/ --data policy/data.yaml --fail-on-warn
  wavecheck validate apps/* -o sarif > wavecheck.sarif
  helm template charts/app | wavecheck validate -
  wavecheck validate --application apps/guestbook.yaml --repo https://github.com/org/values=../values
  wavecheck validate --applications argocd/apps -o sarif > wavecheck.sarif`,
		Args: inputArgs(&rf),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runValidate(cmd, g, args, &rf, &vf)
		},
	}
	fs := cmd.Flags()
	rf.register(fs)
	fs.StringArrayVarP(&vf.outputs, "output", "o", nil, "report format, to stdout, or FORMAT=FILE to a file (repeatable: -o text -o sarif=wavecheck.sarif): "+strings.Join(report.Formats(), ", ")+" (default text)")
	fs.StringVar(&vf.config, "config", "", "configuration file (default: the "+ConfigFile+" nearest to PATH, up to the repository root)")
	fs.StringArrayVar(&vf.policies, "policy", nil, "directory of user Rego policies, conftest-compatible (repeatable)")
	fs.StringArrayVar(&vf.data, "data", nil, "YAML or JSON data file for the user policies (repeatable)")
	fs.StringArrayVar(&vf.namespaces, "policy-namespace", nil, "Rego package of the user policies (repeatable; default main)")
	fs.BoolVar(&vf.allNamespaces, "all-namespaces", false, "evaluate the user policies of every Rego package")
	fs.StringArrayVar(&vf.ignore, "ignore", nil, "rule id to ignore everywhere (repeatable)")
	fs.StringVar(&vf.argocdVersion, "argocd-version", argocd.Latest.String(), "Argo CD version whose behaviour the rules model")
	fs.StringVar(&vf.tracking, "tracking-method", "", "Argo CD's resource tracking method (argocd-cm application.resourceTrackingMethod): "+strings.Join(argocd.TrackingMethods(), ", ")+" (default: the target version's default, annotation since 3.0)")
	fs.StringArrayVar(&vf.severity, "severity", nil, "override a rule's severity, rule=info|warning|error (repeatable), e.g. application-wave-health=error")
	fs.BoolVar(&vf.determinism, "check-determinism", true, "render Helm charts twice and report objects that differ (render-not-deterministic); --check-determinism=false renders once")
	fs.BoolVar(&vf.failOnWarn, "fail-on-warn", false, "exit 1 on warnings too")
	fs.StringVar(&vf.minSeverity, "min-severity", "info", "least severe finding to report: info, warning or error (hidden findings do not count for the exit status)")
	fs.StringVar(&vf.color, "color", "auto", "colour the text report: auto (on a terminal, unless NO_COLOR is set), always or never")
	fs.DurationVar(&vf.timeout, "policy-timeout", policy.DefaultTimeout, "time limit for evaluating the policies")
	fs.StringVar(&vf.regoVersion, "rego-version", "v1", "Rego syntax of the user policies: v1 (rego.v1, conftest >= 0.60) or v0 (older deny[msg] { ... } policies)")
	return cmd
}

func runValidate(cmd *cobra.Command, g *globals, paths []string, rf *renderFlags, vf *validateFlags) error {
	if !rf.hasApps() || len(paths) > 0 {
		if err := pipeline.CheckInputs(paths); err != nil {
			return usageError("%v", err)
		}
	}
	ropts, err := rf.options()
	if err != nil {
		return err
	}
	cfg, err := resolveConfig(vf.config, paths, ropts.RepoRoot)
	if err != nil {
		return usageError("%v", err)
	}
	if cfg.path != "" {
		slog.Debug("configuration", "file", cfg.path)
	}
	cfg.apply(cmd.Flags(), vf)
	color, err := useColor(vf.color, g.stdout)
	if err != nil {
		return err
	}
	outs, err := parseOutputs(vf.outputs, color)
	if err != nil {
		return usageError("%v", err)
	}
	minSev, err := policy.ParseSeverity(vf.minSeverity)
	if err != nil {
		return usageError("parse --min-severity: %v", err)
	}
	if _, err := argocd.ParseVersion(vf.argocdVersion); err != nil {
		return usageError("parse --argocd-version: %v", err)
	}
	if vf.tracking != "" {
		if _, err := argocd.ParseTrackingMethod(vf.tracking); err != nil {
			return usageError("parse --tracking-method: %v", err)
		}
	}
	if vf.timeout <= 0 {
		return usageError("parse --policy-timeout: %s is not a positive duration", vf.timeout)
	}
	severity, err := policy.ParseSeverityOverrides(vf.severity)
	if err != nil {
		return usageError("parse --severity: %v", err)
	}
	if vf.allNamespaces && len(vf.namespaces) > 0 {
		return usageError("--all-namespaces and --policy-namespace are exclusive")
	}

	p := pipeline.Start(cmd.Context(), pipeline.Options{
		Render:           ropts,
		Lint:             true,
		CheckDeterminism: vf.determinism,
		Policy: policy.Options{
			Severity:       severity,
			PolicyDirs:     vf.policies,
			DataFiles:      vf.data,
			Namespaces:     vf.namespaces,
			AllNamespaces:  vf.allNamespaces,
			Ignore:         vf.ignore,
			ArgoCDVersion:  vf.argocdVersion,
			TrackingMethod: vf.tracking,
			Namespace:      ropts.Namespace,
			Timeout:        vf.timeout,
			RegoVersion:    vf.regoVersion,
		},
	})
	defer p.Close()
	// Every input is rendered and linted before anything is written: a failing input ends the
	// run with its error and no partial report.
	reps := make([]*report.Report, 0, len(paths))
	if rf.hasApps() {
		apps, repos, err := rf.appInputs(cmd.Context(), ropts)
		if err != nil {
			return err
		}
		for _, app := range apps {
			rep, err := validateApp(cmd.Context(), p, app, repos, ropts, minSev)
			if err != nil {
				return err
			}
			reps = append(reps, rep)
		}
	}
	for _, path := range paths {
		rep, err := validateInput(cmd.Context(), g, p, path, rf, minSev)
		if err != nil {
			return &ExitError{Code: ExitFailure, Err: err}
		}
		reps = append(reps, rep)
	}
	warnUnknownIgnores(g, vf.ignore, reps)
	if err := writeOutputs(outs, g.stdout, reps); err != nil {
		return &ExitError{Code: ExitFailure, Err: err}
	}
	if report.AnyFailed(reps, vf.failOnWarn) {
		return &ExitError{Code: ExitFindings}
	}
	return nil
}

// validateInput renders and lints one input and returns its report.
func validateInput(ctx context.Context, g *globals, p *pipeline.Pipeline, path string, rf *renderFlags, minSev policy.Severity) (*report.Report, error) {
	res, err := rf.result(path)(p.RenderInput(ctx, path, g.stdin))
	if err != nil {
		return nil, err
	}
	slog.Debug("rendered", "input", path, "type", res.Type, "objects", len(res.Objects))
	lint, err := p.Lint(ctx, res)
	if err != nil {
		return nil, err
	}
	rep := buildReport(res, lint)
	rep.SetRules(lint.Rules)
	rep.Tool.Version = Version
	rep.Filter(minSev)
	slog.Info("validated", "input", path, "objects", rep.Summary.Objects, "errors", rep.Summary.Errors,
		"warnings", rep.Summary.Warnings, "infos", rep.Summary.Infos, "suppressed", len(rep.Suppressed))
	return rep, nil
}

// warnUnknownIgnores prints one warning line for each --ignore id that names no rule known to
// the run (built-in, user rules, or the rule of a finding: a user rule may set its id per
// finding). It is a warning, not an error, because such an id may match on other apps.
func warnUnknownIgnores(g *globals, ignore []string, reps []*report.Report) {
	if len(ignore) == 0 || len(reps) == 0 {
		return
	}
	known := map[string]bool{}
	ids := []string{}
	for _, r := range reps {
		for id := range r.Rules {
			if !known[id] {
				ids = append(ids, id)
			}
			known[id] = true
		}
		for _, f := range r.Findings {
			known[f.Rule] = true
		}
		for _, s := range r.Suppressed {
			known[s.Rule] = true
		}
	}
	for _, l := range ignore {
		for _, id := range strings.Split(l, ",") {
			if id = strings.TrimSpace(id); id == "" || id == "*" || id == "all" || known[id] {
				continue
			}
			msg := fmt.Sprintf("wavecheck: warning: --ignore %s names no rule, so it suppresses nothing", id)
			if s := suggest.Closest(id, ids); s != "" {
				msg += fmt.Sprintf(" (did you mean %s?)", s)
			} else {
				msg += " (wavecheck rules lists the rule ids)"
			}
			diagf(g.stderr, "%s\n", msg)
		}
	}
}

// validateApp renders and lints one Argo CD Application and returns its report.
func validateApp(ctx context.Context, p *pipeline.Pipeline, app pipeline.App, repos map[string]string, ropts render.Options, minSev policy.Severity) (*report.Report, error) {
	res, err := p.RenderApplication(ctx, app, checkouts(app, repos, ropts.RepoRoot))
	if err != nil {
		return nil, &ExitError{Code: ExitFailure, Err: err}
	}
	lint, err := p.LintApp(ctx, res, &policy.App{Namespace: app.DestinationNamespace(), SyncOptions: app.SyncOptions()})
	if err != nil {
		return nil, &ExitError{Code: ExitFailure, Err: fmt.Errorf("%s: %w", app.File, err)}
	}
	rep := buildReport(res, lint)
	rep.Source.Application = app.Name
	rep.SetRules(lint.Rules)
	rep.Tool.Version = Version
	rep.Filter(minSev)
	slog.Info("validated", "application", app.Name, "file", app.File, "objects", rep.Summary.Objects, "errors", rep.Summary.Errors,
		"warnings", rep.Summary.Warnings, "infos", rep.Summary.Infos, "suppressed", len(rep.Suppressed))
	return rep, nil
}

// buildReport turns a render result and the lint result into a report.
func buildReport(res *render.Result, lint *pipeline.Lint) *report.Report {
	src := report.Source{Path: pipeline.SourcePath(res), Type: string(res.Type)}
	objects := make([]report.Object, 0, len(res.Objects))
	for _, o := range res.Objects {
		objects = append(objects, report.Object{
			Ref: policy.ObjectRef{
				APIVersion:   o.APIVersion(),
				Kind:         o.Kind(),
				Namespace:    o.Namespace(),
				Name:         o.Name(),
				GenerateName: o.GenerateName(),
			},
			File: o.Source.File,
			Line: o.Source.Line,
		})
	}
	return report.New(src, objects, lint.Findings, lint.Suppressed)
}

// useColor decides whether the text report is coloured.
func useColor(mode string, out io.Writer) (bool, error) {
	switch strings.ToLower(mode) {
	case "always":
		return true, nil
	case "never":
		return false, nil
	case "auto", "":
		if os.Getenv("NO_COLOR") != "" {
			return false, nil
		}
		f, ok := out.(*os.File)
		return ok && term.IsTerminal(int(f.Fd())), nil
	}
	return false, usageError("parse --color: unknown mode %q (want auto, always or never)", mode)
}
