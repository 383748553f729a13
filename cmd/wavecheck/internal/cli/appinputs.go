package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"

	"github.com/wavecheck/wavecheck/internal/pipeline"
	"github.com/wavecheck/wavecheck/plugin/render"
)

// hasApps reports whether Applications were given (--application or --applications).
func (f *renderFlags) hasApps() bool { return len(f.applications) > 0 || len(f.appDirs) > 0 }

// appInputs reads the Applications of --application and --applications and parses --repo.
// Errors are input errors (exit 2) naming the file.
func (f *renderFlags) appInputs(ctx context.Context, opts render.Options) ([]pipeline.App, map[string]string, error) {
	repos := map[string]string{}
	for _, r := range f.repos {
		u, dir, ok := strings.Cut(r, "=")
		if !ok || u == "" || dir == "" {
			return nil, nil, usageError("parse --repo %q: want URL=DIR", r)
		}
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return nil, nil, usageError("parse --repo %q: %s is not a directory", r, dir)
		}
		repos[u] = dir
	}
	var apps []pipeline.App
	for _, file := range f.applications {
		a, err := pipeline.LoadApplications(ctx, file, opts)
		if err != nil {
			return nil, nil, &ExitError{Code: ExitFailure, Err: err}
		}
		apps = append(apps, a...)
	}
	for _, dir := range f.appDirs {
		a, err := pipeline.FindApplications(ctx, dir, opts)
		if err != nil {
			return nil, nil, &ExitError{Code: ExitFailure, Err: err}
		}
		apps = append(apps, a...)
	}
	return apps, repos, nil
}

// checkouts are the checkouts of app: --repo, and the repository holding its file (--repo-root
// when given).
func checkouts(app pipeline.App, repos map[string]string, repoRoot string) pipeline.Checkouts {
	co := pipeline.Checkouts{Repos: repos, Current: repoRoot}
	if co.Current == "" {
		co.Current = gitRoot(filepath.Dir(app.File))
	}
	return co
}

// gitRoot is the nearest parent of dir holding .git, or "".
func gitRoot(dir string) string {
	d, err := filepath.Abs(dir)
	if err != nil {
		return ""
	}
	for {
		if _, err := os.Stat(filepath.Join(d, ".git")); err == nil {
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			return ""
		}
		d = parent
	}
}

// renderApp renders one Application (exit 2 on failure).
func renderApp(ctx context.Context, app pipeline.App, repos map[string]string, opts render.Options) (*render.Result, error) {
	res, err := pipeline.RenderApplication(ctx, app, checkouts(app, repos, opts.RepoRoot), opts)
	if err != nil {
		return nil, &ExitError{Code: ExitFailure, Err: err}
	}
	return res, nil
}
