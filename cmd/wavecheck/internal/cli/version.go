package cli

import (
	"fmt"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/wavecheck/wavecheck/plugin/render"
)

// versionLine is what `wavecheck version` and `wavecheck --version` print.
func versionLine() string {
	helm := ""
	if !render.HelmLinked {
		helm = ", without Helm: charts run " + render.HelmCompanion
	}
	return fmt.Sprintf("wavecheck %s (%s, %s/%s%s%s)", Version, runtime.Version(), runtime.GOOS, runtime.GOARCH, edition, helm)
}

func newVersionCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the wavecheck version",
		Args:  exactArgs(0),
		RunE: func(_ *cobra.Command, _ []string) error {
			_, err := fmt.Fprintln(g.stdout, versionLine())
			return err
		},
	}
}

// addVersionFlag gives the root command --version (and -v), printing the same line as the
// version command, as kube-linter, conftest and helm users expect of a CLI.
func addVersionFlag(root *cobra.Command) {
	root.Version = versionLine()
	root.SetVersionTemplate("{{.Version}}\n")
}
