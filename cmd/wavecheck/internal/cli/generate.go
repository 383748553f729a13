package cli

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/wavecheck/wavecheck/plugin/render"
	"github.com/wavecheck/wavecheck/plugin/sidecar"
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
1 blocked by policy errors, 2 render, settings or policy failure.

stderr, which Argo CD stores in the Application's condition, is capped (512 bytes a line, 4 KiB
in all); a cut report is written whole to WAVECHECK_REPORT_LOG, by default the cmp-server's
stderr (the sidecar's log).`,
		Args: maxArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := appDir(args)
			env := sidecar.ParseEnv(os.Environ())
			report := func(short, full string) {
				capped, cut := sidecar.CapReport(short)
				if cut || full != short {
					where, err := sidecar.LogFullReport(env.Vars, full)
					switch {
					case err != nil:
						capped += "\n(report cut; " + err.Error() + ")"
					case where != "" && cut:
						capped += "\n(report cut: the full report is in the sidecar log)"
					case cut:
						capped += "\n(report cut: run wavecheck validate for the full report)"
					}
				}
				if capped != "" {
					diagf(g.stderr, "%s\n", capped)
				}
			}
			fail := func(err error) error {
				msg := "wavecheck: " + err.Error()
				report(msg, msg)
				return &ExitError{Code: ExitFailure}
			}
			cfg, err := sidecar.Resolve(env)
			if err != nil {
				return fail(err)
			}
			out, err := sidecar.Generate(cmd.Context(), dir, cfg, nil)
			var pe *sidecar.PolicyError
			if errors.As(err, &pe) {
				all := *pe
				all.Max = len(pe.Errors)
				report(pe.Error(), all.Error())
				return &ExitError{Code: ExitFindings}
			}
			if nh := (*render.NeedsHelmError)(nil); errors.As(err, &nh) {
				// The build without Helm hands the run over (Run); nothing reported yet.
				return err
			}
			if err != nil {
				return fail(err)
			}
			if text := sidecar.Report(out, cfg); text != "" {
				report(text, text)
			}
			if err := context.Cause(cmd.Context()); err != nil {
				// Stopped (SIGTERM at the cmp-server's deadline): no stream at all.
				return fail(fmt.Errorf("not writing the manifests: %w", err))
			}
			if _, err := g.stdout.Write(out.Manifests); err != nil {
				return fail(fmt.Errorf("write manifests: %w", err))
			}
			return nil
		},
	}
}
