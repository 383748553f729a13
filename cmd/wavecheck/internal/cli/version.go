package cli

import (
	"fmt"
	"runtime"

	"github.com/spf13/cobra"
)

func newVersionCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the wavecheck version",
		Args:  exactArgs(0),
		RunE: func(_ *cobra.Command, _ []string) error {
			_, err := fmt.Fprintf(g.stdout, "wavecheck %s (%s, %s/%s%s)\n", Version, runtime.Version(), runtime.GOOS, runtime.GOARCH, edition)
			return err
		},
	}
}
