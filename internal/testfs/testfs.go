// Package testfs writes file trees for tests: one helper instead of a copy per test package.
package testfs

import (
	"os"
	"path/filepath"
	"testing"
)

// Write writes files (slash paths relative to root, mapped to their contents) under root,
// creating the folders they need.
func Write(t testing.TB, root string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil { //nolint:gosec // test fixtures, as the tests' own files
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil { //nolint:gosec // test fixtures, as the tests' own files
			t.Fatal(err)
		}
	}
}

// Tree writes files under a new temporary folder and returns the folder.
func Tree(t testing.TB, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	Write(t, root, files)
	return root
}
