package render

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
)

// DirScan is what a directory app holds, from file names only.
type DirScan struct {
	// Manifests counts the selected .yaml/.yml/.json files.
	Manifests int
	// Jsonnet is the first selected .jsonnet file (lexical walk order), relative to the app
	// directory; empty when there is none.
	Jsonnet string
}

// ScanDirectory lists the files a directory app in dir would render, with the same selection
// as rendering (recurse, include, exclude, .git skipped) but without opening any file: plugin
// discovery decides from names, as Argo CD's own discovery does (util/app/discovery), and
// leaves parsing to generation.
func ScanDirectory(ctx context.Context, dir string, opts Options) (DirScan, error) {
	var s DirScan
	absDir, err := filepath.Abs(dir)
	if err != nil {
		return s, fmt.Errorf("scan app dir: %w", err)
	}
	if fi, err := os.Stat(absDir); err != nil || !fi.IsDir() {
		return s, fmt.Errorf("scan app dir: %s is not a directory", dir)
	}
	b := &bounds{root: absDir, step: &step{}}
	err = dirFiles(ctx, b, absDir, opts, func(p, rel string) error {
		if isJsonnet(p) {
			if s.Jsonnet == "" {
				s.Jsonnet = rel
			}
			return nil
		}
		s.Manifests++
		return nil
	})
	return s, err
}
