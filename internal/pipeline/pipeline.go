// Package pipeline is wavecheck's one lint pipeline, called by validate, generate (the Argo CD
// plugin), discover and the tests: render an app as Argo CD's repo-server would, make every
// object's source repository-relative, lint it with the admin linter (the built-in rules and the
// admin's policies) and, when enabled, with the repository's own policies in a separate
// sandboxed linter, and return one sorted result.
//
// The admin linter compiles in the background while the app renders (Start), because
// compiling the rule pack does not depend on the app.
package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/wavecheck/wavecheck/internal/manifest"
	"github.com/wavecheck/wavecheck/plugin/render"
	"github.com/wavecheck/wavecheck/policy"
)

// RepoPolicyDir is the folder, at the root of the app's repository, holding the repository's
// own policies.
const RepoPolicyDir = ".wavecheck"

// Options configure a pipeline.
type Options struct {
	// Render says how to render the app.
	Render render.Options
	// Lint enables linting; without it the pipeline only renders.
	Lint bool
	// Policy configures the admin linter: the built-in rules (unless NoBuiltin) and the admin
	// policy directories and data.
	Policy policy.Options
	// RepoPolicies also evaluates <repository root>/.wavecheck, when it exists, in a linter of
	// its own: without the built-in rules and without the admin's data, so that the
	// repository's conftest exceptions and data cannot exempt an object from the admin's rules
	// (a security property: a repository may add rules, never remove them). Every user policy
	// runs in the linter's sandbox (no network, no environment).
	RepoPolicies bool
	// CheckDeterminism renders a Helm chart a second time and marks the objects whose output
	// differs (manifest.MarkUnstable), for the render-not-deterministic rule: Argo CD renders on
	// every refresh, so such an app is OutOfSync forever.
	CheckDeterminism bool
	// LintCacheDir, when set, keeps each lint outcome under a digest of everything it depends
	// on and reuses it (lintcache.go): an app regenerated unchanged compiles no Rego.
	LintCacheDir string
}

// Lint is the outcome of linting one rendered app.
type Lint struct {
	// Findings of both linters, in policy.CompareFindings order.
	Findings []policy.Finding
	// Suppressed findings of both linters, in the same order.
	Suppressed []policy.Suppressed
	// Rules is the metadata of every rule known to the linters (admin first).
	Rules []policy.Rule
	// RepoPolicyDir is the repository policy folder that was evaluated ("" when none).
	RepoPolicyDir string
}

// Pipeline runs one app through render and lint.
type Pipeline struct {
	opts   Options
	admin  *pending           // nil without Options.Lint
	cancel context.CancelFunc // stops the admin compilation
}

// Start returns a pipeline and, when opts.Lint is set, starts compiling the admin linter.
// Call Close when done.
func Start(ctx context.Context, opts Options) *Pipeline {
	p := &Pipeline{opts: opts}
	if opts.Lint {
		cctx, cancel := context.WithCancel(ctx)
		p.admin, p.cancel = compile(cctx, opts.Policy), cancel
	}
	return p
}

// Close stops a compilation whose linter was not needed (a lint cache hit, a render that
// failed) at its next step, without waiting for it: it writes nothing, and the process's exit
// ends it. Waiting made a lint cache hit with admin policies pay their compilation.
func (p *Pipeline) Close() {
	if p.cancel != nil {
		p.cancel()
	}
}

// Render renders the app in dir with repository-relative sources (twice for a Helm chart with
// Options.CheckDeterminism).
func (p *Pipeline) Render(ctx context.Context, dir string) (*render.Result, error) {
	res, err := Render(ctx, dir, p.opts.Render)
	if err != nil {
		return nil, err
	}
	return p.checkDeterminism(ctx, res)
}

// checkDeterminism renders a Helm app again and marks the objects that differ, when enabled.
func (p *Pipeline) checkDeterminism(ctx context.Context, res *render.Result) (*render.Result, error) {
	if !p.opts.CheckDeterminism {
		return res, nil
	}
	if err := markUnstable(ctx, res, p.opts.Render); err != nil {
		return nil, err
	}
	return res, nil
}

// markUnstable renders a Helm result's chart a second time with the options of its first render
// and marks the objects whose output differs (manifest.MarkUnstable), for the
// render-not-deterministic rule. Other source types render the same every time.
func markUnstable(ctx context.Context, res *render.Result, opts render.Options) error {
	if res.Type != render.Helm {
		return nil
	}
	again, err := render.Render(ctx, res.Dir, opts)
	if err != nil {
		return fmt.Errorf("render %s a second time (determinism check): %w", res.Dir, err)
	}
	manifest.MarkUnstable(res.Objects, again.Objects)
	return nil
}

// Lint evaluates the admin linter and, when enabled and present, the repository's policies
// over a rendered app.
func (p *Pipeline) Lint(ctx context.Context, res *render.Result) (*Lint, error) {
	return p.LintApp(ctx, res, nil)
}

// LintApp is Lint for the objects of an Argo CD Application (app: its destination namespace
// and sync options, which feed the rules); nil is Lint.
func (p *Pipeline) LintApp(ctx context.Context, res *render.Result, app *policy.App) (*Lint, error) {
	if p.admin == nil {
		return nil, fmt.Errorf("evaluate policies: the pipeline was started without linting")
	}
	if p.opts.LintCacheDir != "" {
		return p.cachedLint(ctx, res, app, func() (*Lint, error) { return p.lintApp(ctx, res, app) })
	}
	return p.lintApp(ctx, res, app)
}

func (p *Pipeline) lintApp(ctx context.Context, res *render.Result, app *policy.App) (*Lint, error) {
	eng, err := p.admin.wait()
	if err != nil {
		return nil, fmt.Errorf("load policies: %w", err)
	}
	r, err := eng.EvaluateApp(ctx, res.Objects, app)
	if err != nil {
		return nil, err
	}
	out := &Lint{Findings: r.Findings, Suppressed: r.Suppressed, Rules: eng.Rules()}
	if p.opts.RepoPolicies {
		if err := lintRepo(ctx, p.opts.Policy, res, app, out); err != nil {
			return nil, fmt.Errorf("repository policies: %w", err)
		}
	}
	policy.SortFindings(out.Findings)
	policy.SortSuppressed(out.Suppressed)
	return out, nil
}

// Bounds of the repository's policies: a repository is not trusted, and its policies are
// read and compiled for every generation of every app of the repository.
const (
	RepoPolicyFileBytes  = 1 << 20 // one .rego file
	RepoPolicyTotalBytes = 4 << 20 // every .rego file together
	RepoPolicyFiles      = 1000    // number of .rego files
)

// lintRepo evaluates the repository's policies, when <repository root>/.wavecheck exists, in
// their own linter and adds the results. The policies are read through an os.Root of the
// repository root: a symlink (the folder itself or any file in it) that leaves the repository
// is an error, as are files over the RepoPolicy* limits.
func lintRepo(ctx context.Context, admin policy.Options, res *render.Result, app *policy.App, out *Lint) error {
	root, err := os.OpenRoot(res.RepoRoot)
	if err != nil {
		return fmt.Errorf("open repository root: %w", err)
	}
	defer func() { _ = root.Close() }()
	st, err := root.Stat(RepoPolicyDir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("read %s: %w (policies are read only inside the repository)", RepoPolicyDir, err)
	case !st.IsDir():
		return nil
	}
	sub := subFS{root.FS().(statDirFS), RepoPolicyDir}
	dir := filepath.Join(res.RepoRoot, RepoPolicyDir)
	out.RepoPolicyDir = dir
	opts := admin
	opts.PolicyDirs, opts.DataFiles, opts.NoBuiltin = nil, nil, true
	opts.Policies = []policy.Source{{Name: dir, FS: sub, Limits: policy.Limits{
		FileBytes: RepoPolicyFileBytes, TotalBytes: RepoPolicyTotalBytes, Files: RepoPolicyFiles}}}
	eng, err := policy.New(ctx, opts)
	if err != nil {
		return err
	}
	r, err := eng.EvaluateApp(ctx, res.Objects, app)
	if err != nil {
		return err
	}
	out.Findings = append(out.Findings, r.Findings...)
	out.Suppressed = append(out.Suppressed, r.Suppressed...)
	out.Rules = append(out.Rules, eng.Rules()...)
	return nil
}

// statDirFS is what os.Root.FS provides.
type statDirFS interface {
	fs.StatFS
	fs.ReadDirFS
}

// subFS is the folder dir of fsys. Unlike fs.Sub it keeps Stat, which the policy loader
// uses to refuse non-regular files before opening them (opening a FIFO blocks).
type subFS struct {
	fsys statDirFS
	dir  string
}

func (s subFS) full(name string) (string, error) {
	if !fs.ValidPath(name) {
		return "", &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	return path.Join(s.dir, name), nil
}

func (s subFS) Open(name string) (fs.File, error) {
	full, err := s.full(name)
	if err != nil {
		return nil, err
	}
	return s.fsys.Open(full)
}

func (s subFS) Stat(name string) (fs.FileInfo, error) {
	full, err := s.full(name)
	if err != nil {
		return nil, err
	}
	return s.fsys.Stat(full)
}

func (s subFS) ReadDir(name string) ([]fs.DirEntry, error) {
	full, err := s.full(name)
	if err != nil {
		return nil, err
	}
	return s.fsys.ReadDir(full)
}

// Run renders and lints the app in dir: the whole pipeline for callers that need nothing in
// between. The Lint is nil when opts.Lint is false.
func Run(ctx context.Context, dir string, opts Options) (*render.Result, *Lint, error) {
	p := Start(ctx, opts)
	defer p.Close()
	res, err := p.Render(ctx, dir)
	if err != nil {
		return nil, nil, err
	}
	if !opts.Lint {
		return res, nil, nil
	}
	l, err := p.Lint(ctx, res)
	if err != nil {
		return res, nil, err
	}
	return res, l, nil
}

// Render renders the app in dir as Argo CD's repo-server would and makes every object's
// source repository-relative (RepoRelativeSources).
func Render(ctx context.Context, dir string, opts render.Options) (*render.Result, error) {
	res, err := render.Render(ctx, dir, opts)
	if err != nil {
		return nil, err
	}
	RepoRelativeSources(res)
	return res, nil
}

// RepoRelativeSources makes every object's source file relative to the repository root. Helm
// names templates "<chart name>/templates/x.yaml"; when that maps to a file of the chart
// directory, the repository path replaces it (e.g. charts/shop/templates/x.yaml), so that
// every report, SARIF and GitHub annotations and the plugin's messages in the Argo CD UI point
// at the same file. Paths that do not map (templates of packaged subcharts) stay as Helm named
// them. Directory and Kustomize sources are already repository-relative.
func RepoRelativeSources(res *render.Result) {
	if res.Type != render.Helm {
		return
	}
	chartDir := RepoRel(res.RepoRoot, res.Dir)
	for i := range res.Objects {
		f := res.Objects[i].Source.File
		_, rest, ok := strings.Cut(f, "/")
		if !ok || rest == "" {
			continue
		}
		p := path.Join(chartDir, rest)
		if st, err := os.Stat(filepath.Join(res.RepoRoot, filepath.FromSlash(p))); err == nil && st.Mode().IsRegular() {
			res.Objects[i].Source.File = p
		}
	}
}

// RepoRel is dir relative to root, slash-separated ("." for the root itself).
func RepoRel(root, dir string) string {
	rel, err := filepath.Rel(root, dir)
	if err != nil || strings.HasPrefix(rel, "..") {
		return filepath.ToSlash(dir)
	}
	return filepath.ToSlash(rel)
}

// pending is a policy linter being compiled in the background.
type pending struct {
	done chan struct{}
	eng  *policy.Linter
	err  error
}

// compile starts policy.New(ctx, opts); wait returns its result.
func compile(ctx context.Context, opts policy.Options) *pending {
	p := &pending{done: make(chan struct{})}
	go func() {
		defer close(p.done)
		defer func() {
			if r := recover(); r != nil {
				p.eng, p.err = nil, fmt.Errorf("internal error: %v", r)
			}
		}()
		p.eng, p.err = policy.New(ctx, opts)
	}()
	return p
}

func (p *pending) wait() (*policy.Linter, error) {
	<-p.done
	return p.eng, p.err
}
