package render

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

// bounds confines file reads to the repository root and enforces the size limits.
type bounds struct {
	root     string
	maxFile  int64
	maxTotal int64
	// maxRendered bounds the YAML the renderer produces; step records its progress.
	maxRendered int64
	step        *step
	// overrides replace the content of files by real path: the kustomization file after the
	// Application's kustomize edits. Set before rendering, read-only after.
	overrides map[string][]byte

	mu       sync.Mutex
	total    int64
	rendered int64
}

// chargeRendered adds n bytes of renderer output and fails past the rendered-size limit.
func (b *bounds) chargeRendered(n int64) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	limit := b.maxRendered
	if limit <= 0 {
		limit = DefaultMaxRenderedBytes
	}
	b.rendered += n
	if b.rendered > limit {
		return limitErr("the rendered YAML is larger than the %d-byte limit", LimitRenderedBytes, limit)
	}
	return nil
}

// rel returns p relative to the repository root, for messages.
func (b *bounds) rel(p string) string {
	if r, err := filepath.Rel(b.root, p); err == nil && !filepath.IsAbs(r) {
		return filepath.ToSlash(r)
	}
	return p
}

// resolve returns the real path of p and an error when it lies outside the root.
func (b *bounds) resolve(p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	realPath, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return "", &Error{File: b.rel(abs), Err: fmt.Errorf("resolve path: %w", unwrapPathError(err))}
	}
	if !within(b.root, realPath) {
		return "", &Error{File: b.rel(abs), Err: fmt.Errorf("%w: resolves to %s, outside %s", ErrOutsideRoot, realPath, b.root)}
	}
	return realPath, nil
}

// checkSymlinks walks dir and refuses any symlink whose target leaves the root, as Argo CD's
// repo-server refuses out-of-bounds symlinks.
func (b *bounds) checkSymlinks(dir string) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return &Error{File: b.rel(p), Err: fmt.Errorf("walk app dir: %w", unwrapPathError(err))}
		}
		if d.Name() == ".git" && d.IsDir() {
			return filepath.SkipDir
		}
		if d.Type()&fs.ModeSymlink == 0 {
			return nil
		}
		target, err := filepath.EvalSymlinks(p)
		if err != nil {
			// A dangling link inside the root is harmless until read; refuse only escapes.
			link, lerr := os.Readlink(p)
			if lerr == nil {
				if !filepath.IsAbs(link) {
					link = filepath.Join(filepath.Dir(p), link)
				}
				if !within(b.root, filepath.Clean(link)) {
					return &Error{File: b.rel(p), Err: fmt.Errorf("%w: symlink points to %s", ErrOutsideRoot, link)}
				}
			}
			return nil
		}
		if !within(b.root, target) {
			return &Error{File: b.rel(p), Err: fmt.Errorf("%w: symlink points to %s", ErrOutsideRoot, target)}
		}
		return nil
	})
}

// readFile reads a file inside the root, enforcing the per-file and total limits.
func (b *bounds) readFile(p string) ([]byte, error) {
	data, err := b.peekFile(p)
	if err != nil {
		return nil, err
	}
	if err := b.charge(int64(len(data))); err != nil {
		return nil, &Error{File: b.rel(p), Err: err}
	}
	return data, nil
}

// peekFile reads a file inside the root under the per-file limit, without charging it to the
// total.
func (b *bounds) peekFile(p string) ([]byte, error) {
	realPath, err := b.resolve(p)
	if err != nil {
		return nil, err
	}
	if data, ok := b.overrides[realPath]; ok {
		return data, nil
	}
	if fi, err := os.Stat(realPath); err == nil && !fi.Mode().IsRegular() { //nolint:gosec // paths are confined to the repository root by bounds.resolve
		// A FIFO would block the read forever, a device never end.
		return nil, &Error{File: b.rel(p), Err: fmt.Errorf("not a regular file (%s): wavecheck reads only regular files", fi.Mode().Type())}
	}
	f, err := os.Open(realPath) //nolint:gosec // G304: resolve confined realPath to the repository root
	if err != nil {
		return nil, &Error{File: b.rel(p), Err: fmt.Errorf("open file: %w", unwrapPathError(err))}
	}
	defer func() { _ = f.Close() }() // read-only: a close error loses nothing
	data, err := io.ReadAll(io.LimitReader(f, b.maxFile+1))
	if err != nil {
		return nil, &Error{File: b.rel(p), Err: fmt.Errorf("read file: %w", err)}
	}
	if int64(len(data)) > b.maxFile {
		return nil, &Error{File: b.rel(p), Err: limitErr("the file is larger than the %d-byte limit", LimitFile, b.maxFile)}
	}
	if err := checkAliasExpansion(data, b.maxFile); err != nil {
		return nil, &Error{File: b.rel(p), Err: err}
	}
	return data, nil
}

// charge adds n bytes to the total read so far and fails past the total limit.
func (b *bounds) charge(n int64) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.total += n
	if b.total > b.maxTotal {
		return limitErr("the input is larger than the %d-byte total limit", LimitTotal, b.maxTotal)
	}
	return nil
}

func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
