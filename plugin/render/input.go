package render

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/wavecheck/wavecheck/internal/manifest"
)

// Stream is the source type of an input that is already a manifest stream: standard input
// ("-") or a single file, e.g. the output of `helm template`, `kustomize build` or `argocd app
// manifests`. It is not an Argo CD source type: the stream is taken as rendered.
const Stream SourceType = "Stream"

// StdinName is the path an input of standard input is given on the command line, and the file
// name its objects' sources and the reports carry.
const StdinName = "-"

// Input renders one command-line input: "-" reads a manifest stream from stdin, a regular file
// is a manifest stream, a directory is an app rendered as Argo CD's repo-server would (Render).
// A missing path is an error naming it.
func Input(ctx context.Context, path string, stdin io.Reader, opts Options) (*Result, error) {
	if path == StdinName {
		return ReadStream(ctx, stdin, opts)
	}
	st, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("read input %s: no such file or directory (give an app directory, a manifest file or - for stdin)", path)
		}
		return nil, fmt.Errorf("read input %s: %w", path, unwrapPathError(err))
	}
	if st.IsDir() {
		return Render(ctx, path, opts)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("read input %s: not a regular file or directory", path)
	}
	return File(ctx, path, opts)
}

// ReadStream decodes a manifest stream from r (standard input) as it is: no rendering. The
// objects' sources name StdinName with the line of their document; the stream is bounded by
// the total input limit. The repository root, for repository policies, is opts.RepoRoot or
// the nearest parent of the working directory holding .git. The Result's Dir is empty.
func ReadStream(ctx context.Context, r io.Reader, opts Options) (*Result, error) {
	if r == nil {
		return nil, errors.New("read stdin: no standard input")
	}
	limit := opts.maxTotal()
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read stdin: %w", err)
	}
	if int64(len(data)) > limit {
		return nil, &Error{File: StdinName, Err: fmt.Errorf("input is larger than the %d-byte total limit (raise --max-total-size)", limit)}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	wd, err := os.Getwd()
	if err != nil {
		return nil, fmt.Errorf("read stdin: %w", err)
	}
	root, err := findRepoRoot(wd, opts.RepoRoot)
	if err != nil {
		return nil, err
	}
	objs, err := decodeStream(data, StdinName, true, opts.maxFile())
	if err != nil {
		return nil, err
	}
	if err := checkObjectCount(StdinName, objs, opts); err != nil {
		return nil, err
	}
	// Dir is empty: standard input has no directory (pipeline.SourcePath names it "-").
	return &Result{Type: Stream, RepoRoot: root, Objects: objs}, nil
}

// File decodes one manifest file as a stream: every document is an object, whatever the
// file's extension and even when it carries Argo CD's skip marker (the file was named
// explicitly). Reads are bounded by the repository root and the per-file limit; sources are
// repository-relative, and the Result's Dir is the file itself.
func File(ctx context.Context, path string, opts Options) (*Result, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("read input %s: %w", path, err)
	}
	root, err := findRepoRoot(filepath.Dir(abs), opts.RepoRoot)
	if err != nil {
		return nil, err
	}
	// Name the file by its real directory, as the root is symlink-free.
	if realDir, err := filepath.EvalSymlinks(filepath.Dir(abs)); err == nil {
		abs = filepath.Join(realDir, filepath.Base(abs))
	}
	b := &bounds{root: root, maxFile: opts.maxFile(), maxTotal: opts.maxTotal()}
	data, err := b.readFile(abs)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	objs, err := decodeStream(data, b.rel(abs), true, b.maxFile)
	if err != nil {
		return nil, err
	}
	if err := checkObjectCount(b.rel(abs), objs, opts); err != nil {
		return nil, err
	}
	return &Result{Type: Stream, Dir: abs, RepoRoot: root, Objects: objs}, nil
}

// checkObjectCount applies the object limit to a manifest stream, as Render does to an app.
func checkObjectCount(file string, objs []manifest.Object, opts Options) error {
	if n := len(objs); n > opts.maxObjects() {
		return &Error{File: file, Err: limitErr("the input holds %d objects, more than the %d-object limit", LimitObjects, n, opts.maxObjects())}
	}
	return nil
}
