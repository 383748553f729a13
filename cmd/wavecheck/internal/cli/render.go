package cli

import (
	"github.com/spf13/cobra"

	"github.com/wavecheck/wavecheck/plugin/render"
)

func newRenderCmd(g *globals) *cobra.Command {
	var rf renderFlags
	cmd := &cobra.Command{
		Use:   "render DIR",
		Short: "Render an app's manifests as Argo CD's repo-server would, as a YAML stream",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts, err := rf.options()
			if err != nil {
				return err
			}
			res, err := render.Render(cmd.Context(), args[0], opts)
			if err != nil {
				return &ExitError{Code: ExitFailure, Err: err}
			}
			return render.Write(g.stdout, res.Objects)
		},
	}
	rf.register(cmd.Flags())
	return cmd
}
