//go:build nohelm

package cli

import (
	"fmt"
	"log/slog"
	"os"
	"syscall"

	"github.com/wavecheck/wavecheck/plugin/render"
)

// handedOverEnv marks the process a run was handed over to, so that a misbuilt companion
// cannot hand it over again, and again.
const handedOverEnv = "WAVECHECK_HANDED_OVER"

// handOverToHelm replaces this process, the build without Helm (-tags nohelm: the image's
// wavecheck), with the build with Helm next to it (render.HelmCompanion, the image's
// wavecheck-helm), with the same arguments and environment, once a command found that its input
// needs Helm (cause, a *render.NeedsHelmError). Nothing was written to stdout yet, and
// render refuses before reading the chart, so the other build runs the command from the start:
// the cmp-server sees one process, one manifest stream and one exit status. It returns only
// when the hand-over is impossible, with an error saying why.
func handOverToHelm(args []string, stdinRead bool, cause error) error {
	if stdinRead {
		return fmt.Errorf("%w (standard input was read already, so the run cannot be handed over: pass a file)", cause)
	}
	if os.Getenv(handedOverEnv) != "" {
		// This process is the one handed over to: the build next to it lacks Helm as well.
		return fmt.Errorf("%w (%s, run for it, is a build without Helm too: install the one built without -tags nohelm)", cause, render.HelmCompanion)
	}
	exe, err := render.CompanionPath()
	if err != nil {
		return fmt.Errorf("%w (find %s: %w)", cause, render.HelmCompanion, err)
	}
	argv := append([]string{exe}, args...)
	slog.Debug("handing the run over to the build with Helm", "executable", exe, "reason", cause.Error())
	err = syscall.Exec(exe, argv, append(os.Environ(), handedOverEnv+"=1")) //nolint:gosec // G204: our own companion binary, next to this executable
	return fmt.Errorf("%w (run %s: %w)", cause, exe, err)
}
