package sidecar

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/wavecheck/wavecheck/internal/argocd"
	"github.com/wavecheck/wavecheck/plugin/render"
)

// envSourcePath is the app's path inside its repository, as the Application names it.
const envSourcePath = "ARGOCD_APP_SOURCE_PATH"

// SourceRoot derives the root of the repository holding the app in dir from sourcePath, the
// value of ARGOCD_APP_SOURCE_PATH (the Application's spec.source.path).
//
// Argo CD's repo-server joins that path to its checkout (util/app/path.Path: relative, cleaned,
// inside the root) and streams the checkout to the cmp-server with the app directory relative to
// it (util/cmp.SendRepoStream, util/io/files.RelativePath); the cmp-server unpacks it into a
// fresh work directory and runs the plugin's commands in <workdir>/<app path>
// (cmpserver/plugin.Service.generateManifest, runCommand). So the repository root is dir with
// the cleaned source path stripped from its end. When the checkout is streamed without .git
// (--plugin-tar-exclude) this is the only way to find it.
//
// It fails when sourcePath is absolute, leaves the repository (..), or is not the end of dir's
// path; the last also happens when the repo-server sends only the common root of the
// manifest-generate-paths (reposerver/repository.getApplicationRootPath), in which case the
// stream's root is not the repository's.
func SourceRoot(dir, sourcePath string) (string, error) {
	sp := filepath.FromSlash(sourcePath)
	if filepath.IsAbs(sp) {
		return "", fmt.Errorf("%s=%q is absolute; Argo CD only accepts a path relative to the repository", envSourcePath, sourcePath)
	}
	clean := filepath.Clean(sp)
	if clean == ".." || strings.HasPrefix(clean, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("%s=%q leaves the repository", envSourcePath, sourcePath)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("resolve app dir: %w", err)
	}
	if clean == "." {
		return abs, nil
	}
	candidates := []string{abs}
	// The working directory may be reported through a symlink (or without one) above the
	// work directory; the suffix itself is plain directories in the unpacked stream.
	if realPath, err := filepath.EvalSymlinks(abs); err == nil && realPath != abs {
		candidates = append(candidates, realPath)
	}
	suffix := string(filepath.Separator) + clean
	for _, c := range candidates {
		if root, ok := strings.CutSuffix(c, suffix); ok {
			if root == "" {
				root = string(filepath.Separator)
			}
			return root, nil
		}
	}
	return "", fmt.Errorf("%s=%q is not the end of the app directory %s", envSourcePath, sourcePath, abs)
}

// StreamRoot returns the root of the repository stream the cmp-server unpacked the app in dir
// from: the directory directly below workDir (argocd.CMPWorkDir) that holds dir. ok is false
// when dir is not below workDir (not run by a cmp-server, or a differently configured one).
//
// That root is exactly what the repo-server sent: the repository checkout (less
// --plugin-tar-exclude), or, with --plugin-use-manifest-generate-paths, the common root of the
// Application's manifest-generate-paths, in which case ARGOCD_APP_SOURCE_PATH is not the end of
// dir's path and SourceRoot fails. A plain plugin there reads anything in the stream, so
// wavecheck's reads are bounded by it too.
func StreamRoot(dir, workDir string) (root string, ok bool) {
	if workDir == "" {
		return "", false
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", false
	}
	dirs := []string{abs}
	if realPath, err := filepath.EvalSymlinks(abs); err == nil && realPath != abs {
		dirs = append(dirs, realPath)
	}
	works := []string{filepath.Clean(workDir)}
	if realWork, err := filepath.EvalSymlinks(workDir); err == nil && realWork != works[0] {
		works = append(works, realWork)
	}
	for _, w := range works {
		for _, d := range dirs {
			rel, err := filepath.Rel(w, d)
			if err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
				continue
			}
			first, _, _ := strings.Cut(rel, string(filepath.Separator))
			return filepath.Join(w, first), true
		}
	}
	return "", false
}

// placement is where the app in dir sits: the cmp-server stream holding it (StreamRoot) and
// the root ARGOCD_APP_SOURCE_PATH gives (SourceRoot; sourceErr when the variable is set but
// gives none).
type placement struct {
	stream     string
	inStream   bool
	sourceRoot string
	sourceErr  error
}

func (c Config) place(dir string) placement {
	var p placement
	p.stream, p.inStream = StreamRoot(dir, c.CMPWorkDir)
	if c.SourcePath != "" {
		p.sourceRoot, p.sourceErr = SourceRoot(dir, c.SourcePath)
	}
	return p
}

// sourceRootHolds reports whether ARGOCD_APP_SOURCE_PATH gave a root inside the stream (or the
// app is not in one).
func (p placement) sourceRootHolds() bool {
	return p.sourceRoot != "" && (!p.inStream || render.Within(p.stream, p.sourceRoot))
}

// partial reports whether the app was streamed from below its repository's root, as a
// repo-server honouring manifest-generate-paths streams it: in a stream, with a source path
// that gives no root inside it.
func (p placement) partial() bool {
	sourcePathSet := p.sourceRoot != "" || p.sourceErr != nil
	return p.inStream && sourcePathSet && !p.sourceRootHolds()
}

// renderOptions returns the render options for the app in dir: c.Render, with the repository
// root set unless a root is set already. The root is the one ARGOCD_APP_SOURCE_PATH gives
// (SourceRoot) when that lies inside the cmp-server's stream (or the app is not in one), else
// the stream's root (StreamRoot: the common root of manifest-generate-paths). When neither
// gives a root, the renderer keeps its own default (the nearest parent holding .git, else the
// app directory), and a source path that could not give one is reported on stderr.
func (c Config) renderOptions(ctx context.Context, dir string) render.Options {
	opts := c.Render
	if opts.RepoRoot != "" {
		return opts
	}
	p := c.place(dir)
	switch {
	case p.sourceRootHolds():
		opts.RepoRoot = p.sourceRoot
	case p.inStream:
		opts.RepoRoot = p.stream
	case p.sourceErr != nil:
		slog.WarnContext(ctx, "wavecheck: repository root not derived from "+envSourcePath+
			"; file reads are bounded by the nearest parent holding .git, else the app directory", "reason", p.sourceErr.Error())
	}
	return opts
}

// partialStream reports whether the app in dir was streamed from below its repository's root
// (placement.partial). streamed is then the stream's path in the repository ("" when it cannot
// be told).
func (c Config) partialStream(dir string) (streamed string, partial bool) {
	p := c.place(dir)
	if !p.partial() {
		return "", false
	}
	stream := p.stream
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", true
	}
	if realPath, err := filepath.EvalSymlinks(abs); err == nil {
		abs = realPath
	}
	if realStream, err := filepath.EvalSymlinks(stream); err == nil {
		stream = realStream
	}
	appRel, err := filepath.Rel(stream, abs)
	if err != nil {
		return "", true
	}
	source := filepath.ToSlash(filepath.Clean(filepath.FromSlash(c.SourcePath)))
	if appRel == "." {
		return source, true
	}
	if prefix, ok := strings.CutSuffix(source, "/"+filepath.ToSlash(appRel)); ok {
		return prefix, true
	}
	return "", true
}

// explainPartialStream prefixes a render error of an app streamed from below its repository's
// root (partialStream) that misses a file: the usual cause is a path the Application's
// manifest-generate-paths annotation leaves out (an overlay's base, a values file elsewhere).
func (c Config) explainPartialStream(dir string, err error) error {
	missing := errors.Is(err, fs.ErrNotExist) || errors.Is(err, render.ErrOutsideRoot) ||
		strings.Contains(err.Error(), "no such file or directory") // kustomize's errors are text
	streamed, partial := c.partialStream(dir)
	if !missing || !partial {
		return err
	}
	what := "part of the repository"
	if streamed != "" {
		what = strconv.Quote(streamed)
	}
	// First: Argo CD shows the start of a long message (cmp-server errors are cut).
	return fmt.Errorf("a file this app reads was not sent: the repo-server sent the plugin only %s, the common root of the Application's %s annotation; add every path the app reads to it: %w",
		what, argocd.AnnotationManifestGeneratePaths, err)
}
