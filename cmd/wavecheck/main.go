// Command wavecheck lints and replays Argo CD sync waves and hooks.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/wavecheck/wavecheck/cmd/wavecheck/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
