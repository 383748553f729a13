package render

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/gobwas/glob"

	"github.com/wavecheck/wavecheck/internal/manifest"
)

// skipMarker in a file makes Argo CD skip it when rendering a directory.
const skipMarker = "+argocd:skip-file-rendering"

var manifestFile = regexp.MustCompile(`\.(yaml|yml|json)$`)

// dirFiles lists the files of a directory app that Argo CD's repo-server considers, without
// reading them: .yaml/.yml/.json/.jsonnet files (reposerver/repository findManifests'
// manifestFile; every file with Options.NoExtensionFilter), non-recursive unless asked, .git
// skipped, include/exclude globs on the path relative to the app directory. visit gets each file's path and relative path.
func dirFiles(ctx context.Context, b *bounds, dir string, opts Options, visit func(p, rel string) error) error {
	inc, err := compileGlobs(opts.Include)
	if err != nil {
		return fmt.Errorf("parse --include: %w", err)
	}
	exc, err := compileGlobs(opts.Exclude)
	if err != nil {
		return fmt.Errorf("parse --exclude: %w", err)
	}
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return &Error{File: b.rel(p), Err: fmt.Errorf("walk app dir: %w", unwrapPathError(err))}
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.IsDir() {
			if p != dir && (!opts.Recurse || d.Name() == ".git") {
				return filepath.SkipDir
			}
			return nil
		}
		if !opts.NoExtensionFilter && !manifestFile.MatchString(d.Name()) && !isJsonnet(d.Name()) {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if matchAny(exc, rel) || (len(inc) > 0 && !matchAny(inc, rel)) {
			return nil
		}
		return visit(p, rel)
	})
}

// isJsonnet reports a file Argo CD evaluates as jsonnet in a directory app: only *.jsonnet
// (findManifests checks strings.HasSuffix(name, ".jsonnet")); *.libsonnet files are libraries
// that Argo CD never renders on their own, so they change nothing.
func isJsonnet(name string) bool { return strings.HasSuffix(name, ".jsonnet") }

// ErrJsonnet is the error for a jsonnet file in a directory app, which wavecheck cannot render.
var ErrJsonnet = errors.New("jsonnet files are not supported: Argo CD would evaluate this file, wavecheck cannot; exclude it (plugin parameter exclude, --exclude) or render it before wavecheck")

// renderDirectory reads a plain directory of manifests as Argo CD's repo-server does:
// .yaml/.yml/.json files, non-recursive unless asked, include/exclude globs on the path relative
// to the app directory, files carrying the skip marker ignored. A selected .jsonnet file is an
// error naming it, never silently skipped: Argo CD would render it.
func renderDirectory(ctx context.Context, b *bounds, dir string, opts Options) ([]manifest.Object, error) {
	var out []manifest.Object
	err := dirFiles(ctx, b, dir, opts, func(p, _ string) error {
		if isJsonnet(p) {
			return &Error{File: b.rel(p), Err: ErrJsonnet}
		}
		b.step.set("the read of %s", b.rel(p))
		data, err := b.readFile(p)
		if err != nil {
			return err
		}
		if bytes.Contains(data, []byte(skipMarker)) {
			return nil
		}
		if err := b.chargeRendered(int64(len(data))); err != nil {
			return &Error{File: b.rel(p), Err: err}
		}
		b.step.set("the decoding of %s", b.rel(p))
		objs, err := decodeStream(data, b.rel(p), true, b.maxFile)
		if err != nil {
			return err
		}
		out = append(out, objs...)
		if len(out) > opts.maxObjects() {
			return &Error{File: b.rel(p), Err: limitErr("the app renders more than the %d-object limit", LimitObjects, opts.maxObjects())}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// MatchGlob reports whether name (a slash-separated path relative to the app directory)
// matches an include or exclude glob of a directory app. Argo CD matches them with
// util/glob.Match, i.e. gobwas/glob compiled without separators, so "*" also matches "/"
// (reposerver/repository.getPotentiallyValidManifestFile); wavecheck uses the same library the
// same way (test/conformance pins it). A malformed pattern is an error here, where Argo CD logs
// it and matches nothing.
func MatchGlob(pattern, name string) (bool, error) {
	g, err := glob.Compile(pattern)
	if err != nil {
		return false, err
	}
	return g.Match(name), nil
}

// compileGlobs compiles the include or exclude globs of a directory app (MatchGlob).
func compileGlobs(patterns []string) ([]*glob.Pattern, error) {
	var res []*glob.Pattern
	for _, p := range patterns {
		if p == "" {
			continue
		}
		g, err := glob.Compile(p)
		if err != nil {
			return nil, fmt.Errorf("glob %q: %w", p, err)
		}
		res = append(res, g)
	}
	return res, nil
}

func matchAny(gs []*glob.Pattern, s string) bool {
	for _, g := range gs {
		if g.Match(s) {
			return true
		}
	}
	return false
}
