package cli

import (
	"encoding/json"
	"os"

	"github.com/spf13/cobra"

	"github.com/wavecheck/wavecheck/plugin/sidecar"
)

func newParametersCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "parameters [DIR]",
		Short: "Argo CD plugin: print the dynamic parameter announcements for the app in DIR (default .) as JSON",
		Args:  maxArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			dir := appDir(args)
			b, err := json.MarshalIndent(sidecar.Announce(dir, sidecar.ParseEnv(os.Environ())), "", "  ")
			if err != nil {
				return err
			}
			_, err = g.stdout.Write(append(b, '\n'))
			return err
		},
	}
}
