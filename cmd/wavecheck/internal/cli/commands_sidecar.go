//go:build sidecar

package cli

import "github.com/spf13/cobra"

// edition names the build in `wavecheck version`.
const edition = ", sidecar build"

// engineCommands is empty in the sidecar build: the Argo CD plugin runs generate, discover and
// parameters only, and linking gitops-engine and client-go's clients would cost every generate
// their package initialisers (ARCHITECTURE.md, "Three builds").
func engineCommands(*globals) []*cobra.Command { return nil }
