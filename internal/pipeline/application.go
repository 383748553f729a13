package pipeline

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/wavecheck/wavecheck/internal/argocd"
	"github.com/wavecheck/wavecheck/internal/manifest"
	"github.com/wavecheck/wavecheck/plugin/render"
	"sigs.k8s.io/yaml"
)

// ApplicationType is the source type reports give an input that is an Argo CD Application.
const ApplicationType render.SourceType = "Application"

// Checkouts resolve the repoURL of an Application's sources to local checkouts.
type Checkouts struct {
	// Repos maps repository URLs (any form: argocd.RepoKey matches them) to directories.
	Repos map[string]string
	// Current is the repository the Application file lives in ("" when it is in none): it
	// serves the repoURL of its "origin" remote, or, without a known remote, the one
	// repoURL of the Application that Repos does not map.
	Current string
}

// App is an Application read from a file, with the settings that feed the rules and the sync.
type App struct {
	*argocd.Application
	// File is the Application file as given on the command line.
	File string
}

// LoadApplications reads the Applications of a manifest file: every document must be an
// Argo CD Application (a one-line error naming the file otherwise).
func LoadApplications(ctx context.Context, file string, opts render.Options) ([]App, error) {
	st, err := os.Stat(file)
	if err != nil {
		return nil, fmt.Errorf("read application %s: %w", file, errors.Unwrap(err))
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("read application %s: not a regular file", file)
	}
	res, err := render.File(ctx, file, opts)
	if err != nil {
		return nil, fmt.Errorf("read application %s: %w", file, err)
	}
	if len(res.Objects) == 0 {
		return nil, fmt.Errorf("read application %s: the file holds no object (want an Argo CD Application)", file)
	}
	apps := make([]App, 0, len(res.Objects))
	for _, o := range res.Objects {
		a, err := argocd.ParseApplication(o)
		if err != nil {
			return nil, fmt.Errorf("read application %s: %w", file, err)
		}
		apps = append(apps, App{Application: a, File: file})
	}
	return apps, nil
}

// FindApplications returns the Applications in the YAML and JSON files under dir (walked in
// lexical order, .git skipped); files holding other objects are skipped, a file that holds
// an Application must hold nothing else.
func FindApplications(ctx context.Context, dir string, opts render.Options) ([]App, error) {
	var apps []App
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == ".git" {
				return filepath.SkipDir
			}
			return nil
		}
		switch strings.ToLower(filepath.Ext(p)) {
		case ".yaml", ".yml", ".json":
		default:
			return nil
		}
		if !d.Type().IsRegular() || !mentionsApplication(p) {
			return nil
		}
		res, err := render.File(ctx, p, opts)
		if err != nil {
			// Not a manifest (a values file, a kustomization): not an Application either.
			return nil
		}
		if !slices.ContainsFunc(res.Objects, argocd.IsApplication) {
			return nil
		}
		found, err := LoadApplications(ctx, p, opts)
		if err != nil {
			return err
		}
		apps = append(apps, found...)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("find applications under %s: %w", dir, err)
	}
	if len(apps) == 0 {
		return nil, fmt.Errorf("find applications under %s: no Argo CD Application found", dir)
	}
	return apps, nil
}

// mentionsApplication is a cheap filter before decoding: the file names the kind.
func mentionsApplication(p string) bool {
	f, err := os.Open(p) //nolint:gosec // a file of the directory the user named
	if err != nil {
		return false
	}
	defer func() { _ = f.Close() }()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if strings.Contains(sc.Text(), "Application") {
			return true
		}
	}
	return false
}

// checkout returns the directory of repoURL.
func (c Checkouts) checkout(app *argocd.Application, repoURL string) (string, error) {
	key := argocd.RepoKey(repoURL)
	for u, dir := range c.Repos {
		if argocd.RepoKey(u) == key {
			return dir, nil
		}
	}
	hint := fmt.Sprintf("give --repo %s=DIR with a local checkout", repoURL)
	if c.Current == "" {
		return "", fmt.Errorf("application %s: no local checkout of %s (%s)", app.Name, repoURL, hint)
	}
	if origin := originURL(c.Current); origin != "" {
		if argocd.RepoKey(origin) == key {
			return c.Current, nil
		}
		return "", fmt.Errorf("application %s: no local checkout of %s: the current repository %s is %s (%s)", app.Name, repoURL, c.Current, origin, hint)
	}
	unmapped := map[string]bool{}
	for _, s := range app.Sources() {
		if s.IsHelmRepo() {
			continue // pulled from its Helm repository, never a checkout
		}
		k := argocd.RepoKey(s.RepoURL)
		if !slices.ContainsFunc(mapKeys(c.Repos), func(u string) bool { return argocd.RepoKey(u) == k }) {
			unmapped[k] = true
		}
	}
	if len(unmapped) == 1 {
		return c.Current, nil
	}
	return "", fmt.Errorf("application %s: no local checkout of %s: the app uses %d repositories and the current one has no origin remote to tell which it is (%s)", app.Name, repoURL, len(unmapped), hint)
}

func mapKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// originURL reads the url of remote "origin" from the repository's git config ("" when
// unknown). A worktree's .git file points to its git dir, whose commondir holds the config.
func originURL(repo string) string {
	gitDir := filepath.Join(repo, ".git")
	if st, err := os.Stat(gitDir); err == nil && !st.IsDir() {
		data, err := os.ReadFile(gitDir) //nolint:gosec // the repository's own .git file
		if err != nil {
			return ""
		}
		d := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(string(data)), "gitdir:"))
		if !filepath.IsAbs(d) {
			d = filepath.Join(repo, d)
		}
		gitDir = d
		if c, err := os.ReadFile(filepath.Join(d, "commondir")); err == nil { //nolint:gosec // inside the git dir
			cd := strings.TrimSpace(string(c))
			if !filepath.IsAbs(cd) {
				cd = filepath.Join(d, cd)
			}
			gitDir = cd
		}
	}
	data, err := os.ReadFile(filepath.Join(gitDir, "config")) //nolint:gosec // the repository's git config
	if err != nil {
		return ""
	}
	in := false
	for _, l := range strings.Split(string(data), "\n") {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "[") {
			in = t == `[remote "origin"]`
			continue
		}
		if k, v, ok := strings.Cut(t, "="); ok && in && strings.TrimSpace(k) == "url" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// RenderApplication renders every source of app as Argo CD's repo-server would with the
// Application's settings (SourceOptions) and returns one result: the objects of every source
// in source order, Dir the Application file, RepoRoot the first rendered source's root.
func RenderApplication(ctx context.Context, app App, co Checkouts, base render.Options) (*render.Result, error) {
	return renderApplication(ctx, app, co, base, false)
}

// RenderApplication is the package's RenderApplication with the pipeline's render options as
// base and, with Options.CheckDeterminism, every Helm source rendered a second time with the
// same options, its differing objects marked (manifest.MarkUnstable).
func (p *Pipeline) RenderApplication(ctx context.Context, app App, co Checkouts) (*render.Result, error) {
	return renderApplication(ctx, app, co, p.opts.Render, p.opts.CheckDeterminism)
}

func renderApplication(ctx context.Context, app App, co Checkouts, base render.Options, determinism bool) (*render.Result, error) {
	out := &render.Result{Type: ApplicationType}
	if abs, err := filepath.Abs(app.File); err == nil {
		out.Dir = abs
	}
	srcs := app.Sources()
	var objs []manifest.Object
	rendered := 0
	for i := range srcs {
		src := &srcs[i]
		if app.HasMultipleSources() && src.IsRefOnly() {
			continue
		}
		res, err := renderSource(ctx, app, i, co, base, determinism)
		if err != nil {
			return nil, err
		}
		if out.RepoRoot == "" && !src.IsHelmRepo() {
			out.RepoRoot = res.RepoRoot
		}
		rendered++
		objs = append(objs, res.Objects...)
	}
	if rendered == 0 {
		return nil, fmt.Errorf("%s: application %s renders nothing: every source is a ref-only source", app.File, app.Name)
	}
	if out.RepoRoot == "" {
		// Only charts of Helm repositories: the repository of the Application file bounds
		// the reports and holds the repository policies (the extracted charts are gone).
		out.RepoRoot = co.Current
		if out.RepoRoot == "" {
			out.RepoRoot = filepath.Dir(out.Dir)
		}
	}
	if root, err := filepath.EvalSymlinks(out.RepoRoot); err == nil {
		out.RepoRoot = root
	}
	out.Objects = objs
	return out, nil
}

// appSourceOptions maps the settings of source i, whose app directory dir lies in root.
func appSourceOptions(app *argocd.Application, i int, root, dir string, co Checkouts, base render.Options) (string, render.Options, error) {
	src := &app.Sources()[i]
	name := app.SourceName(i)
	var err error
	if src, err = mergeSourceOverrides(src, dir, app.Name, root); err != nil {
		return "", base, fmt.Errorf("application %s, %s: %w", app.Name, name, err)
	}
	opts := base
	opts.RepoRoot = root
	opts.AppName = app.Name
	typ, err := src.ExplicitType()
	if err != nil {
		return "", base, fmt.Errorf("application %s, %s: %w", app.Name, name, err)
	}
	if src.Chart != "" {
		typ = argocd.SourceHelm
	}
	opts.SourceType = render.SourceType(typ)
	env := argocd.NewEnv(app, src, "")
	if opts.SourceType == "" {
		opts.SourceType = render.Detect(dir)
	}
	switch opts.SourceType {
	case render.Helm:
		if err := helmOptions(app, src, dir, root, env, co, &opts); err != nil {
			return "", base, fmt.Errorf("application %s, %s: %w", app.Name, name, err)
		}
	case render.Kustomize:
		if k := src.Kustomize; k != nil {
			if err := KustomizeOptions(k, env.Subst, &opts); err != nil {
				return "", base, fmt.Errorf("application %s, %s: %w", app.Name, name, err)
			}
		}
	case render.Directory:
		if d := src.Directory; d != nil {
			opts.Recurse = d.Recurse
			opts.NoExtensionFilter = d.DisableExtensionFilter
			opts.Include, opts.Exclude = nil, nil
			if d.Include != "" {
				opts.Include = []string{d.Include}
			}
			if d.Exclude != "" {
				opts.Exclude = []string{d.Exclude}
			}
		}
	}
	return dir, opts, nil
}

// mergeSourceOverrides applies the app directory's .argocd-source.yaml, then
// .argocd-source-<app name>.yaml, as JSON merge patches onto the source, keeping its repoURL,
// path, chart and targetRevision (reposerver/repository.mergeSourceParameters); empty
// settings are dropped again as the parsed Application's were.
func mergeSourceOverrides(src *argocd.ApplicationSource, dir, appName, root string) (*argocd.ApplicationSource, error) {
	merged := *src
	for _, name := range []string{".argocd-source.yaml", ".argocd-source-" + appName + ".yaml"} {
		p := filepath.Join(dir, name)
		st, err := os.Stat(p)
		if err != nil || st.IsDir() {
			continue
		}
		if !st.Mode().IsRegular() || st.Size() > 1<<20 {
			return nil, fmt.Errorf("%s: not a regular file under 1 MiB", RepoRel(root, p))
		}
		data, err := os.ReadFile(p) //nolint:gosec // a file of the app directory, checked above
		if err != nil {
			return nil, fmt.Errorf("%s: %w", RepoRel(root, p), err)
		}
		var patch any
		if err := yaml.Unmarshal(data, &patch); err != nil {
			return nil, fmt.Errorf("%s: %w", RepoRel(root, p), err)
		}
		cur, err := json.Marshal(merged)
		if err != nil {
			return nil, err
		}
		var doc any
		if err := json.Unmarshal(cur, &doc); err != nil {
			return nil, err
		}
		out, err := json.Marshal(mergePatch(doc, patch))
		if err != nil {
			return nil, err
		}
		var next argocd.ApplicationSource
		if err := json.Unmarshal(out, &next); err != nil {
			return nil, fmt.Errorf("%s: %w", RepoRel(root, p), err)
		}
		merged = next
	}
	merged.RepoURL, merged.Path, merged.Chart, merged.TargetRevision = src.RepoURL, src.Path, src.Chart, src.TargetRevision
	argocd.NormalizeSource(&merged)
	return &merged, nil
}

// mergePatch is RFC 7386 JSON merge patch (jsonpatch.MergePatch).
func mergePatch(doc, patch any) any {
	pm, ok := patch.(map[string]any)
	if !ok {
		return patch
	}
	dm, ok := doc.(map[string]any)
	if !ok {
		dm = map[string]any{}
	}
	for k, v := range pm {
		if v == nil {
			delete(dm, k)
			continue
		}
		dm[k] = mergePatch(dm[k], v)
	}
	return dm
}
