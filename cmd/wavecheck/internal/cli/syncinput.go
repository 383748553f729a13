//go:build !sidecar

package cli

import (
	"github.com/spf13/cobra"
)

// oneApp accepts exactly one input for the commands that run one sync (plan, replay): several
// inputs are a usage error saying so.
func oneApp(cmd *cobra.Command, args []string) error {
	switch len(args) {
	case 0:
		return usageError("%s needs one input: an app directory, a manifest file or - for stdin", cmd.Name())
	case 1:
		return nil
	}
	return usageError("%s takes one app, got %d inputs (a sync is per app: run it once per app; validate and render take several)", cmd.Name(), len(args))
}
