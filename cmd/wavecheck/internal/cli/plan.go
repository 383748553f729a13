//go:build !sidecar

package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/wavecheck/wavecheck/engine"
	"github.com/wavecheck/wavecheck/engine/output"
	"github.com/wavecheck/wavecheck/internal/argocd"
)

func newPlanCmd(g *globals) *cobra.Command {
	var (
		rf      renderFlags
		live    string
		prune   bool
		format  string
		version string
	)
	cmd := &cobra.Command{
		Use:   "plan PATH",
		Short: "Print the sync's ordered tasks as gitops-engine sorts them (phase, wave, kind, name)",
		Long: `plan prints the tasks of a sync in the order gitops-engine runs them, without running health:
phase, effective wave (Namespaces and CRDs moved before their first dependant), kind, name,
hook type, delete policy, and a note on what Argo CD reads differently from what the object
says (dropped annotations, a wave that is not an integer, an unknown delete policy). Every
object is listed: those a sync never applies (unknown hook type, Skip, a superseded
duplicate) and the PreDelete/PostDelete-only hooks (stripped from syncs, listed in execution
order) come last, with the reason in NOTE.

Prune tasks (--live) get the wave the replay prunes them in: gitops-engine mirrors prune waves
every round over the objects still live (sync_context.go getSyncTasks), so once a prune
completed the others can move; the plan follows those rounds assuming every earlier task
succeeds and every prune completes (a failed or stuck prune can change the later waves; a
Prune=false object stays and keeps taking part). PATH is an app directory, a manifest file, or
- for a manifest stream on stdin (one app: a sync is per app); --application FILE plans an Argo CD Application with
its settings, destination namespace and syncPolicy.syncOptions.`,
		Args: oneApp(&rf),
		RunE: func(cmd *cobra.Command, args []string) error {
			w, err := output.NewPlanWriter(format)
			if err != nil {
				return usageError("invalid --output %q: want %s", format, strings.Join(output.PlanFormats(), ", "))
			}
			ro, err := rf.options()
			if err != nil {
				return err
			}
			target, err := argocd.ParseVersion(version)
			if err != nil {
				return usageError("parse --argocd-version: %v", err)
			}
			sim := engine.SimOptions{}
			if live != "" {
				if err := checkFlagPath("--live", live, ro.MaxFileBytes, true); err != nil {
					return usageError("%v", err)
				}
				objs, err := renderPath(cmd.Context(), live, ro)
				if err != nil {
					return &ExitError{Code: ExitFailure, Err: fmt.Errorf("read --live: %w", err)}
				}
				sim.Live = objs
			}
			res, app, err := syncInput(cmd.Context(), g, &rf, args, ro)
			if err != nil {
				return err
			}
			eo := engine.Options{ArgoCDVersion: target, Namespace: ro.Namespace, AppName: ro.AppName, Prune: prune, Cluster: engine.Simulated(sim)}
			applyApp(&eo, app)
			p, err := engine.Plan(cmd.Context(), res.Objects, eo)
			if err != nil {
				return &ExitError{Code: ExitFailure, Err: err}
			}
			if err := w.Write(g.stdout, p); err != nil {
				return &ExitError{Code: ExitFailure, Err: err}
			}
			return nil
		},
	}
	rf.register(cmd.Flags())
	cmd.Flags().StringVar(&live, "live", "", "YAML file or directory of objects that already exist (shows prune tasks)")
	cmd.Flags().BoolVar(&prune, "prune", false, "plan with pruning enabled")
	cmd.Flags().StringVar(&version, "argocd-version", argocd.Latest.String(), "Argo CD version whose behaviour the notes explain (hook types it does not know are never run)")
	cmd.Flags().StringVarP(&format, "output", "o", "text", "plan format: "+strings.Join(output.PlanFormats(), ", ")+" (table: text)")
	return cmd
}
