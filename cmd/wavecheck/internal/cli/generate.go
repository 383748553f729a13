package cli

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/wavecheck/wavecheck/internal/manifest"
	"github.com/wavecheck/wavecheck/plugin/cmp"
	"github.com/wavecheck/wavecheck/policy"
)

func newGenerateCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "generate [DIR]",
		Short: "Argo CD plugin: render the app in DIR (default .) from the Argo CD environment, lint it and print only the manifests",
		Long: `generate is the plugin's generate command, run by Argo CD's cmp-server in the app directory.
It reads the Argo CD environment (ARGOCD_APP_*, KUBE_VERSION, KUBE_API_VERSIONS, ARGOCD_ENV_*,
ARGOCD_APP_PARAMETERS), renders the app as the repo-server would and lints it.

Mode (plugin parameter mode > ARGOCD_ENV_WAVECHECK_MODE > sidecar WAVECHECK_MODE > enforce):
  enforce  policy errors block generation: exit 1 with a short report on stderr
  warn     findings are reported on stderr, the manifests are always printed
  off      render only

stdout carries only the manifest stream, written once everything succeeded. An app that renders
no objects is an error unless the parameter allow-empty is true. Exit codes: 0 manifests printed,
1 blocked by policy errors, 2 render, settings or policy failure.`,
		Args: maxArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := appDir(args)
			cfg, err := cmp.Resolve(cmp.ParseEnv(os.Environ()))
			if err != nil {
				return &ExitError{Code: ExitFailure, Err: err}
			}
			var lint cmp.Linter
			if cfg.Mode != cmp.Off {
				lint = lintWithEngine(startEngine(cmd.Context(), adminOptions(cfg.Policy)))
			}
			out, err := cmp.Generate(cmd.Context(), dir, cfg, lint)
			var pe *cmp.PolicyError
			if errors.As(err, &pe) {
				fmt.Fprintln(g.stderr, pe.Error())
				return &ExitError{Code: ExitFindings}
			}
			if err != nil {
				return &ExitError{Code: ExitFailure, Err: err}
			}
			fmt.Fprint(g.stderr, cmp.Report(out, cfg))
			if _, err := g.stdout.Write(out.Manifests); err != nil {
				return &ExitError{Code: ExitFailure, Err: fmt.Errorf("write manifests: %w", err)}
			}
			return nil
		},
	}
}

// adminOptions are the options of the engine with the built-in rules and the admin policies.
func adminOptions(pc cmp.PolicyConfig) policy.Options {
	return policy.Options{
		PolicyDirs:    pc.Dirs,
		DataFiles:     pc.DataFiles,
		Namespaces:    pc.Namespaces,
		Ignore:        pc.Ignore,
		ArgoCDVersion: pc.ArgoCDVersion,
		Namespace:     pc.Namespace,
		Timeout:       pc.Timeout,
	}
}

// lintWithEngine returns the linter of generate: the built-in rules and the admin policies in
// one engine (admin, compiled while the app renders) and, when enabled, the repository's
// .wavecheck policies in a second engine without the built-ins. Keeping the repo policies apart
// means their conftest exception rules and data cannot exempt an object from the admin's rules.
// Every user policy runs in the engine's sandbox (no network, no environment).
func lintWithEngine(admin *pendingEngine) cmp.Linter {
	return func(ctx context.Context, pc cmp.PolicyConfig, objs []manifest.Object) ([]policy.Finding, error) {
		eng, err := admin.wait()
		if err != nil {
			return nil, err
		}
		findings, err := evaluate(ctx, eng, objs)
		if err != nil {
			return nil, err
		}
		if pc.RepoDir != "" {
			repoOpts := adminOptions(pc)
			repoOpts.PolicyDirs, repoOpts.DataFiles, repoOpts.NoBuiltin = []string{pc.RepoDir}, nil, true
			repo, err := policy.New(ctx, repoOpts)
			if err != nil {
				return nil, fmt.Errorf("repository policies: %w", err)
			}
			repoFindings, err := evaluate(ctx, repo, objs)
			if err != nil {
				return nil, fmt.Errorf("repository policies: %w", err)
			}
			findings = append(findings, repoFindings...)
		}
		return findings, nil
	}
}

func evaluate(ctx context.Context, eng *policy.Engine, objs []manifest.Object) ([]policy.Finding, error) {
	res, err := eng.Evaluate(ctx, objs)
	if err != nil {
		return nil, err
	}
	return res.Findings, nil
}
