package cli

import (
	"github.com/spf13/cobra"

	"github.com/wavecheck/wavecheck/internal/manifest"
	"github.com/wavecheck/wavecheck/internal/pipeline"
	"github.com/wavecheck/wavecheck/plugin/render"
)

func newRenderCmd(g *globals) *cobra.Command {
	var rf renderFlags
	cmd := &cobra.Command{
		Use:   "render PATH...",
		Short: "Render an app's manifests as Argo CD's repo-server would, as a YAML stream",
		Long: `render prints the objects Argo CD's repo-server would generate for each PATH, as one YAML
stream. A PATH is an app directory, a manifest file, or - for a manifest stream on stdin; every
input is rendered before anything is printed, so a failing input prints nothing.`,
		Args: minArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts, err := rf.options()
			if err != nil {
				return err
			}
			if err := pipeline.CheckInputs(args); err != nil {
				return usageError("%v", err)
			}
			var objs []manifest.Object
			for _, path := range args {
				res, err := rf.result(path)(render.Input(cmd.Context(), path, g.stdin, opts))
				if err != nil {
					return &ExitError{Code: ExitFailure, Err: err}
				}
				objs = append(objs, res.Objects...)
			}
			return render.Write(g.stdout, objs)
		},
	}
	rf.register(cmd.Flags())
	return cmd
}
