//go:build !sidecar

package cli

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/wavecheck/wavecheck/internal/pipeline"
	"github.com/wavecheck/wavecheck/plugin/render"
)

// oneApp accepts exactly one input for the commands that run one sync (plan, replay): several
// inputs are a usage error saying so. With --application, no PATH is given.
func oneApp(rf *renderFlags) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if rf.hasApps() {
			if len(args) > 0 {
				return usageError("%s takes one app: a PATH or --application FILE, not both", cmd.Name())
			}
			return nil
		}
		switch len(args) {
		case 0:
			return usageError("%s needs one input: an app directory, a manifest file, - for stdin, or --application FILE", cmd.Name())
		case 1:
			return nil
		}
		return usageError("%s takes one app, got %d inputs (a sync is per app: run it once per app; validate and render take several)", cmd.Name(), len(args))
	}
}

// syncInput renders the one app of plan and replay: the PATH, or the one Application of
// --application / --applications. For an Application, app is returned: its destination
// namespace, name and sync options drive the sync.
func syncInput(ctx context.Context, g *globals, rf *renderFlags, args []string, ro render.Options) (*render.Result, *pipeline.App, error) {
	if !rf.hasApps() {
		res, err := rf.result(args[0])(render.Input(ctx, args[0], g.stdin, ro))
		if err != nil {
			return nil, nil, &ExitError{Code: ExitFailure, Err: err}
		}
		return res, nil, nil
	}
	apps, repos, err := rf.appInputs(ctx, ro)
	if err != nil {
		return nil, nil, err
	}
	if len(apps) != 1 {
		return nil, nil, usageError("a sync is per app: got %d Applications (give one)", len(apps))
	}
	res, err := renderApp(ctx, apps[0], repos, ro)
	if err != nil {
		return nil, nil, err
	}
	if err := rf.checkEmpty(apps[0].File, res); err != nil {
		return nil, nil, &ExitError{Code: ExitFailure, Err: err}
	}
	return res, &apps[0], nil
}
