// Package atomicfile writes files that readers see whole or not at all: the caches of chart
// archives (plugin/render) and of lint outcomes (internal/pipeline), which concurrent
// processes of one sidecar read and write. It is a leaf.
package atomicfile

import (
	"errors"
	"os"
	"path/filepath"
)

// Write writes data to p through a temporary file in the same folder renamed into place,
// creating the folder (and its parents) with dirPerm. Nothing is left behind on failure.
func Write(p string, data []byte, dirPerm os.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(p), dirPerm); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(p), ".tmp-*")
	if err != nil {
		return err
	}
	_, werr := f.Write(data)
	if err := errors.Join(werr, f.Close()); err != nil {
		_ = os.Remove(f.Name())
		return err
	}
	if err := os.Rename(f.Name(), p); err != nil {
		_ = os.Remove(f.Name())
		return err
	}
	return nil
}
