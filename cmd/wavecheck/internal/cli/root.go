// Package cli holds wavecheck's cobra commands. Commands only bind flags to option structs and
// call the library packages; they return errors, and Run maps them to exit codes.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/wavecheck/wavecheck/plugin/render"
)

// Version is set at build time with -ldflags "-X .../cli.Version=v1.2.3".
var Version = "dev"

// globals are the flags every command shares.
type globals struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	logLevel       string
	// handOver, set by Run only, replaces the process with the build with Helm when a command
	// of the build without it needs Helm (handover_nohelm.go); it returns only on failure.
	handOver func(cause error) error
}

// Run executes wavecheck with args, reading standard input from os.Stdin (the input "-"), and
// returns the exit code. It never panics: a panic in a command is reported as an internal error
// with exit code 2.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	stdin := &watchedReader{r: os.Stdin}
	return runIO(ctx, args, stdin, stdout, stderr, func(cause error) error {
		return handOverToHelm(args, stdin.read, cause)
	})
}

// RunIO is Run with standard input read from stdin, in this process whatever the build: a
// command that needs Helm in the build without it fails with the *render.NeedsHelmError.
func RunIO(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return runIO(ctx, args, stdin, stdout, stderr, nil)
}

func runIO(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, handOver func(error) error) (code int) {
	defer func() {
		if r := recover(); r != nil {
			diagf(stderr, "wavecheck: internal error: %v\n", r)
			slog.Debug("panic", "stack", string(debug.Stack()))
			code = ExitFailure
		}
	}()
	g := &globals{stdin: stdin, stdout: stdout, stderr: stderr, handOver: handOver}
	root := newRoot(g)
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetIn(stdin)
	err := root.ExecuteContext(ctx)
	if nh := (*render.NeedsHelmError)(nil); errors.As(err, &nh) && g.handOver != nil {
		// Nothing was written to stdout: every command writes its result once it succeeded.
		err = g.handOver(err)
	}
	if err != nil {
		var ee *ExitError
		if !errors.As(err, &ee) || ee.Err != nil {
			diagf(stderr, "wavecheck: %v\n", err)
		}
	}
	return exitCode(err)
}

// diagf writes a diagnostic to stderr. The write error is dropped on purpose: stderr is the
// last channel, a failed write to it has nowhere left to be reported, and the exit code still
// tells the outcome. Output that is the result (manifests, reports) is checked.
func diagf(stderr io.Writer, format string, a ...any) {
	_, _ = fmt.Fprintf(stderr, format, a...)
}

func newRoot(g *globals) *cobra.Command {
	root := &cobra.Command{
		Use:           "wavecheck",
		Short:         "Lint and replay Argo CD sync waves and hooks",
		Long:          "wavecheck renders an Argo CD application (directory, Kustomize or Helm) like the repo-server,\nlints its hook, sync-wave and sync-option annotations, and replays the phased sync.",
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(_ *cobra.Command, _ []string) error {
			return setupLogging(g)
		},
	}
	addVersionFlag(root)
	root.PersistentFlags().StringVar(&g.logLevel, "log-level", "warn", "log level on stderr: debug, info, warn, error")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return &ExitError{Code: ExitFailure, Err: err}
	})
	root.AddCommand(
		newVersionCmd(g),
		newRenderCmd(g),
		newValidateCmd(g), newVerifyCmd(g), newRulesCmd(g),
		newGenerateCmd(g), newParametersCmd(g), newDiscoverCmd(g),
	)
	root.AddCommand(engineCommands(g)...)
	return root
}

func setupLogging(g *globals) error {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(g.logLevel)); err != nil {
		return usageError("parse --log-level: %v", err)
	}
	slog.SetDefault(slog.New(slog.NewTextHandler(g.stderr, &slog.HandlerOptions{Level: lvl})))
	return nil
}

// exactArgs is cobra.ExactArgs with usage errors mapped to exit code 2.
func exactArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := cobra.ExactArgs(n)(cmd, args); err != nil {
			return &ExitError{Code: ExitFailure, Err: err}
		}
		return nil
	}
}

// maxArgs is cobra.MaximumNArgs with usage errors mapped to exit code 2.
func maxArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := cobra.MaximumNArgs(n)(cmd, args); err != nil {
			return &ExitError{Code: ExitFailure, Err: err}
		}
		return nil
	}
}

// minArgs is cobra.MinimumNArgs with usage errors mapped to exit code 2.
// inputArgs is minArgs(1), or any number of arguments when Applications are given.
func inputArgs(rf *renderFlags) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if rf.hasApps() {
			return nil
		}
		return minArgs(1)(cmd, args)
	}
}

func minArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := cobra.MinimumNArgs(n)(cmd, args); err != nil {
			return &ExitError{Code: ExitFailure, Err: err}
		}
		return nil
	}
}
