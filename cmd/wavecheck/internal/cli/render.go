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
		Use:   "render [PATH...] [--application FILE]...",
		Short: "Render an app's manifests as Argo CD's repo-server would, as a YAML stream",
		Long: `render prints the objects Argo CD's repo-server would generate for each PATH, as one YAML
stream. A PATH is an app directory, a manifest file, or - for a manifest stream on stdin; every
input is rendered before anything is printed, so a failing input prints nothing.

--application FILE renders every source of an Argo CD Application with its own settings
(spec.source(s).helm, kustomize, directory, multi-source $values refs), as Argo CD's repo-server
would; --applications DIR does so for every Application under DIR. repoURLs resolve to local
checkouts: the repository holding the Application file, or --repo URL=DIR.`,
		Args: inputArgs(&rf),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts, err := rf.options()
			if err != nil {
				return err
			}
			var objs []manifest.Object
			if rf.hasApps() {
				apps, repos, err := rf.appInputs(cmd.Context(), opts)
				if err != nil {
					return err
				}
				for _, app := range apps {
					res, err := renderApp(cmd.Context(), app, repos, opts)
					if err != nil {
						return err
					}
					objs = append(objs, res.Objects...)
				}
				if len(args) == 0 {
					return render.Write(g.stdout, objs)
				}
			}
			if err := pipeline.CheckInputs(args); err != nil {
				return usageError("%v", err)
			}
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
