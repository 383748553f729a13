package pipeline

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/wavecheck/wavecheck/internal/argocd"
	"github.com/wavecheck/wavecheck/plugin/render"
)

// renderSource renders source i of app. A chart of a Helm repository is pulled into the cache
// (render.PullChart), rendered from its extracted directory, its objects keeping Helm's
// template names (<chart>/templates/x.yaml), and removed.
func renderSource(ctx context.Context, app App, i int, co Checkouts, base render.Options, determinism bool) (*render.Result, error) {
	dir, opts, done, err := SourceOptions(ctx, app.Application, i, co, base)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", app.File, err)
	}
	defer done()
	var res *render.Result
	if app.Sources()[i].IsHelmRepo() {
		res, err = render.Render(ctx, dir, opts)
	} else {
		res, err = Render(ctx, dir, opts)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: application %s, %s: %w", app.File, app.Name, app.SourceName(i), err)
	}
	if determinism {
		if err := markUnstable(ctx, res, opts); err != nil {
			return nil, fmt.Errorf("%s: application %s, %s: %w", app.File, app.Name, app.SourceName(i), err)
		}
	}
	return res, nil
}

// SourceOptions returns the app directory of source i of app and the render options Argo CD's
// repo-server would use for it (reposerver/repository.GenerateManifests): the explicit source
// type, Helm's release name, namespace, value files (with $ref paths, globs and
// ignoreMissingValueFiles), inline values, parameters and file parameters; Kustomize's edits;
// the directory settings. base gives the limits and the dependency settings.
//
// A source with a chart is a chart of a Helm repository (Argo CD's ApplicationSource.IsHelm):
// it is pulled (render.PullChart) and its extracted directory is both the app directory and
// the root, as the repo-server renders it (runManifestGenAsync's operationContext{chartPath}):
// values files are relative to the chart; $ref values files come from the referenced
// checkouts. The returned done removes the extracted chart.
func SourceOptions(ctx context.Context, app *argocd.Application, i int, co Checkouts, base render.Options) (string, render.Options, func(), error) {
	done := func() {}
	src := &app.Sources()[i]
	name := app.SourceName(i)
	var root, dir string
	if src.IsHelmRepo() {
		var pass bool
		if src.Helm != nil {
			pass = src.Helm.PassCredentials
		}
		pulled, err := render.PullChart(ctx, render.ChartSource{RepoURL: src.RepoURL, Chart: src.Chart, TargetRevision: src.TargetRevision, PassCredentials: pass}, base)
		if err != nil {
			return "", base, done, fmt.Errorf("application %s, %s: %w", app.Name, name, err)
		}
		done = func() { _ = pulled.Close() }
		root, dir = pulled.Dir, pulled.Dir
	} else {
		var err error
		if root, dir, err = checkoutDir(app, i, co); err != nil {
			return "", base, done, err
		}
	}
	dir, opts, err := appSourceOptions(app, i, root, dir, co, base)
	if err != nil {
		done()
		return "", base, func() {}, err
	}
	return dir, opts, done, nil
}

// checkoutDir returns the checkout of source i of app and its app directory (spec.source.path).
func checkoutDir(app *argocd.Application, i int, co Checkouts) (root, dir string, err error) {
	src := &app.Sources()[i]
	name := app.SourceName(i)
	root, err = co.checkout(app, src.RepoURL)
	if err != nil {
		return "", "", err
	}
	root, err = filepath.Abs(root)
	if err != nil {
		return "", "", err
	}
	dir = filepath.Join(root, filepath.FromSlash(src.Path))
	if !render.Within(root, dir) {
		return "", "", fmt.Errorf("application %s, %s: path %q leaves the repository", app.Name, name, src.Path)
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return "", "", fmt.Errorf("application %s, %s: path %q is not a directory of %s (checkout %s)", app.Name, name, src.Path, src.RepoURL, root)
	}
	return root, dir, nil
}
