package render

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// boundedFS is kustomize's on-disk file system confined to the repository root: any path
// resolving (after symlinks) outside the root is refused, reads are charged against the size
// limits, and nothing is written. With remote resources allowed, kustomize's own clone
// directories (under the system temp dir) are readable and removable too.
type boundedFS struct {
	b    *bounds
	disk filesys.FileSystem
	// clones is the real temp dir when remote resources are allowed; empty otherwise.
	clones string
	// originFor is the top kustomization file: when read, buildMetadata originAnnotations is
	// added so resources can be mapped back to their files.
	originFor string

	mu sync.Mutex
	// denied is the first refused access (outside the root, over a limit): the build fails
	// with it whatever kustomize made of the refusal.
	denied     error
	userOrigin bool
	files      map[string][]byte // local files read, by real path
	openAPI    bool              // a kustomization read sets the openapi field
}

// read returns a local file kustomize read during the build.
func (f *boundedFS) read(realPath string) ([]byte, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	data, ok := f.files[realPath]
	return data, ok
}

func (f *boundedFS) deniedErr() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.denied
}

func (f *boundedFS) deny(err error) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.denied == nil {
		f.denied = err
	}
	return err
}

// inClone reports whether realPath lies in a kustomize clone directory.
func (f *boundedFS) inClone(realPath string) bool {
	if f.clones == "" {
		return false
	}
	rel, err := filepath.Rel(f.clones, realPath)
	if err != nil || rel == "." || strings.HasPrefix(rel, "..") || filepath.IsAbs(rel) {
		return false
	}
	return strings.HasPrefix(rel, "kustomize-")
}

// check resolves p and refuses it when it exists outside the root (and outside clones). A
// path that does not exist is returned as is: the caller's own operation reports it.
func (f *boundedFS) check(p string) (string, bool, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", false, err
	}
	realPath, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return abs, false, nil
	}
	if within(f.b.root, realPath) {
		return realPath, false, nil
	}
	if f.inClone(realPath) {
		return realPath, true, nil
	}
	return "", false, f.deny(&Error{File: f.b.rel(abs), Err: fmt.Errorf("%w: resolves to %s, outside %s", ErrOutsideRoot, realPath, f.b.root)})
}

var errReadOnly = errors.New("the kustomize file system is read-only")

func (f *boundedFS) writable(p string) error {
	realPath, clone, err := f.check(p)
	if err != nil {
		return err
	}
	if clone {
		return nil
	}
	if f.clones != "" {
		// A clone directory that does not exist yet.
		if parent, err := filepath.EvalSymlinks(filepath.Dir(realPath)); err == nil && f.inClone(filepath.Join(parent, filepath.Base(realPath))) {
			return nil
		}
	}
	return fmt.Errorf("write %s: %w", f.b.rel(realPath), errReadOnly)
}

func (f *boundedFS) Create(p string) (filesys.File, error) {
	if err := f.writable(p); err != nil {
		return nil, err
	}
	return f.disk.Create(p)
}

func (f *boundedFS) Mkdir(p string) error {
	if err := f.writable(p); err != nil {
		return err
	}
	return f.disk.Mkdir(p)
}

func (f *boundedFS) MkdirAll(p string) error {
	if err := f.writable(p); err != nil {
		return err
	}
	return f.disk.MkdirAll(p)
}

func (f *boundedFS) RemoveAll(p string) error {
	if err := f.writable(p); err != nil {
		return err
	}
	return f.disk.RemoveAll(p)
}

func (f *boundedFS) WriteFile(p string, data []byte) error {
	if err := f.writable(p); err != nil {
		return err
	}
	return f.disk.WriteFile(p, data)
}

func (f *boundedFS) Open(p string) (filesys.File, error) {
	realPath, _, err := f.check(p)
	if err != nil {
		return nil, err
	}
	st, err := os.Stat(realPath)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		if st.Size() > f.b.maxFile {
			return nil, f.deny(&Error{File: f.b.rel(realPath), Err: limitErr("the file is larger than the %d-byte limit", LimitFile, f.b.maxFile)})
		}
		if err := f.b.charge(st.Size()); err != nil {
			return nil, f.deny(&Error{File: f.b.rel(realPath), Err: err})
		}
	}
	return f.disk.Open(realPath)
}

func (f *boundedFS) ReadFile(p string) ([]byte, error) {
	realPath, clone, err := f.check(p)
	if err != nil {
		return nil, err
	}
	var data []byte
	if clone {
		data, err = f.readClone(realPath)
	} else {
		data, err = f.b.readFile(realPath)
	}
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			// Over a size limit or unreadable: kustomize would bury this under its own
			// "accumulation" messages (or try the path as a directory), so report it as is.
			return nil, f.deny(err)
		}
		return nil, err
	}
	if !clone {
		f.mu.Lock()
		if f.files == nil {
			f.files = map[string][]byte{}
		}
		f.files[realPath] = data
		f.mu.Unlock()
	}
	f.noteOpenAPI(realPath, data)
	if f.originFor != "" && realPath == f.originFor {
		data, err = f.withOriginTracking(data)
		if err != nil {
			return nil, &Error{File: f.b.rel(realPath), Err: err}
		}
	}
	return data, nil
}

// readClone reads a file of a remote clone under the same size limits.
func (f *boundedFS) readClone(realPath string) ([]byte, error) {
	fh, err := os.Open(realPath) //nolint:gosec // G304: check confined realPath to a kustomize clone dir
	if err != nil {
		return nil, err
	}
	defer func() { _ = fh.Close() }() // read-only: a close error loses nothing
	data, err := io.ReadAll(io.LimitReader(fh, f.b.maxFile+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > f.b.maxFile {
		return nil, fmt.Errorf("read %s: %w", realPath, limitErr("the file is larger than the %d-byte limit", LimitFile, f.b.maxFile))
	}
	if err := f.b.charge(int64(len(data))); err != nil {
		return nil, fmt.Errorf("read %s: %w", realPath, err)
	}
	if err := checkAliasExpansion(data, f.b.maxFile); err != nil {
		return nil, fmt.Errorf("read %s: %w", realPath, err)
	}
	return data, nil
}

func (f *boundedFS) IsDir(p string) bool {
	realPath, _, err := f.check(p)
	return err == nil && f.disk.IsDir(realPath)
}

func (f *boundedFS) Exists(p string) bool {
	realPath, _, err := f.check(p)
	return err == nil && f.disk.Exists(realPath)
}

func (f *boundedFS) ReadDir(p string) ([]string, error) {
	realPath, _, err := f.check(p)
	if err != nil {
		return nil, err
	}
	return f.disk.ReadDir(realPath)
}

func (f *boundedFS) CleanedAbs(p string) (filesys.ConfirmedDir, string, error) {
	if _, _, err := f.check(p); err != nil {
		return "", "", err
	}
	return f.disk.CleanedAbs(p)
}

func (f *boundedFS) Glob(pattern string) ([]string, error) {
	matches, err := f.disk.Glob(pattern)
	if err != nil {
		return nil, err
	}
	for _, m := range matches {
		if _, _, err := f.check(m); err != nil {
			return nil, err
		}
	}
	return matches, nil
}

func (f *boundedFS) Walk(p string, fn filepath.WalkFunc) error {
	if _, _, err := f.check(p); err != nil {
		return err
	}
	return f.disk.Walk(p, fn)
}
