package atomicfile

import (
	"os"
	"path/filepath"
	"testing"
)

// TestWrite: the file holds the data, its folders are created, an existing file is replaced,
// and a failed write leaves no temporary file behind.
func TestWrite(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "a", "b", "entry.json")
	for _, data := range []string{"first", "second"} {
		if err := Write(p, []byte(data), 0o700); err != nil {
			t.Fatal(err)
		}
		if got, err := os.ReadFile(p); err != nil || string(got) != data {
			t.Errorf("read %q, %v; want %q", got, err, data)
		}
	}
	// The target is a directory: the rename fails and the temporary file is removed.
	target := filepath.Join(dir, "a", "taken")
	if err := os.MkdirAll(filepath.Join(target, "x"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := Write(target, []byte("x"), 0o700); err == nil {
		t.Fatal("writing over a non-empty directory succeeded")
	}
	des, err := os.ReadDir(filepath.Join(dir, "a"))
	if err != nil {
		t.Fatal(err)
	}
	for _, de := range des {
		if de.Name() != "b" && de.Name() != "taken" {
			t.Errorf("left behind: %s", de.Name())
		}
	}
}
