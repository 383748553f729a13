package cli

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/wavecheck/wavecheck/plugin/render"
	"github.com/wavecheck/wavecheck/plugin/sidecar"
)

func newDiscoverCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "discover [DIR]",
		Short: "Argo CD plugin discovery: print the source type when wavecheck can render the app in DIR (default .)",
		Long: `discover is the plugin's discover.find.command. It decides from file names, as Argo CD's own
discovery does, without rendering: it prints the app's source type (Helm, Kustomize or Directory)
and exits 0 for a chart, a kustomization or a directory of manifests; a render error then
surfaces in generate, where Argo CD's own tooling would fail too. It declines (prints nothing on
stdout, the reason on stderr, which the cmp-server logs, and exits 0) only an app Argo CD renders
differently: a directory holding *.jsonnet files, which Argo CD evaluates and wavecheck cannot
(the sidecar setting WAVECHECK_DISCOVER_STRICT=true claims it so that generate fails naming the
file), and a directory without .yaml/.yml/.json files (unless allow-empty is set).`,
		Args: maxArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := appDir(args)
			cfg, err := sidecar.Resolve(sidecar.ParseEnv(os.Environ()))
			if err != nil {
				// Bad wavecheck settings mean the Application targets this plugin: claim the
				// app so that generate reports the mistake instead of Argo CD saying that no
				// plugin supports the repository.
				_, err = fmt.Fprintln(g.stdout, render.Detect(dir))
				return err
			}
			d := sidecar.Discover(cmd.Context(), dir, cfg)
			if !d.Match {
				diagf(g.stderr, "wavecheck: no match: %s\n", d.Reason)
				return nil
			}
			_, err = fmt.Fprintln(g.stdout, d.Type)
			return err
		},
	}
}

// appDir is the app directory argument of the plugin commands: the cmp-server runs them in
// the app directory, so it defaults to ".".
func appDir(args []string) string {
	if len(args) == 1 {
		return args[0]
	}
	return "."
}
