package pipeline

import (
	"context"
	"fmt"
	"io"

	"github.com/wavecheck/wavecheck/plugin/render"
)

// RenderInput renders one command-line input with repository-relative sources: "-" is a
// manifest stream on stdin, a file a manifest stream, a directory an app (render.Input).
func (p *Pipeline) RenderInput(ctx context.Context, path string, stdin io.Reader) (*render.Result, error) {
	res, err := RenderInput(ctx, path, stdin, p.opts.Render)
	if err != nil {
		return nil, err
	}
	return p.checkDeterminism(ctx, res)
}

// RenderInput is render.Input followed by RepoRelativeSources.
func RenderInput(ctx context.Context, path string, stdin io.Reader, opts render.Options) (*render.Result, error) {
	res, err := render.Input(ctx, path, stdin, opts)
	if err != nil {
		return nil, err
	}
	RepoRelativeSources(res)
	return res, nil
}

// SourcePath names a rendered input in reports: its path relative to the repository root
// (slash-separated, "." for the root), or "-" for standard input.
func SourcePath(res *render.Result) string {
	if res.Dir == "" {
		return render.StdinName
	}
	return RepoRel(res.RepoRoot, res.Dir)
}

// CheckInputs refuses an empty list and standard input given more than once.
func CheckInputs(paths []string) error {
	if len(paths) == 0 {
		return fmt.Errorf("no input: give an app directory, a manifest file or - for stdin")
	}
	n := 0
	for _, p := range paths {
		if p == render.StdinName {
			n++
		}
	}
	if n > 1 {
		return fmt.Errorf("standard input (-) given %d times: it can be read once", n)
	}
	return nil
}
