package render

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wavecheck/wavecheck/internal/testfs"
)

func TestInput(t *testing.T) {
	root := t.TempDir()
	if err := os.Mkdir(filepath.Join(root, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	cm := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n"
	write := func(rel, data string) string {
		testfs.Write(t, root, map[string]string{rel: data})
		return filepath.Join(root, rel)
	}
	skipped := write("apps/x/skipped.yaml", "# "+skipMarker+"\n"+cm)
	txt := write("apps/x/out.txt", cm+"---\n"+strings.Replace(cm, "name: a", "name: b", 1))
	other := t.TempDir()
	outside := filepath.Join(other, "o.yaml")
	if err := os.WriteFile(outside, []byte(cm), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		path  string
		stdin string
		opts  Options
		// want: "file:line" of every object, or the error text.
		want []string
		err  string
	}{
		{name: "named file with the skip marker is read", path: skipped, want: []string{"apps/x/skipped.yaml:2"}},
		{name: "any extension", path: txt, want: []string{"apps/x/out.txt:1", "apps/x/out.txt:6"}},
		{name: "stdin", path: "-", stdin: "---\n" + cm, want: []string{"-:2"}},
		{name: "stdin over the total limit", path: "-", stdin: cm, opts: Options{MaxTotalBytes: 10}, err: "-: input is larger than the 10-byte total limit"},
		{name: "file over the file limit", path: txt, opts: Options{MaxFileBytes: 10}, err: "apps/x/out.txt: over a render limit: the file is larger than the 10-byte limit"},
		{name: "file outside --repo-root", path: outside, opts: Options{RepoRoot: root}, err: "is outside repo root"},
		{name: "missing", path: filepath.Join(root, "nope.yaml"), err: "no such file or directory"},
		{name: "not regular", path: os.DevNull, err: "not a regular file or directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Input(context.Background(), tt.path, strings.NewReader(tt.stdin), tt.opts)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if res.Type != Stream {
				t.Errorf("type %s, want Stream", res.Type)
			}
			var got []string
			for _, o := range res.Objects {
				got = append(got, o.Location())
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("objects at %v, want %v", got, tt.want)
			}
		})
	}
}
