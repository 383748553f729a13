//go:build !sidecar

package cli

import "github.com/spf13/cobra"

// edition names the build in `wavecheck version`: the full CLI.
const edition = ""

// engineCommands are the commands that drive gitops-engine (package engine). The sidecar
// build (-tags sidecar, commands_sidecar.go) leaves them out: see ARCHITECTURE.md, "Three
// builds".
func engineCommands(g *globals) []*cobra.Command {
	return []*cobra.Command{newReplayCmd(g), newPlanCmd(g)}
}
