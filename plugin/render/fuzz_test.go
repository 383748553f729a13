package render

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Fuzz targets for the parsers of untrusted input (make fuzz runs each for a bounded time; the
// corpus is kept in testdata/fuzz).

// FuzzDecodeStream: any file a repository holds decodes to objects or to an *Error naming the
// file, never a panic, and never an object without apiVersion and kind.
func FuzzDecodeStream(f *testing.F) {
	for _, s := range []string{
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n",
		"---\n# c\napiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Secret\n  metadata: {name: s}\n---\n",
		`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"j"}}`,
		"a: &a [x]\nb: *a\n",
		laughs(""),
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata: {a: .inf}\n",
		"- 1\n- 2\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		objs, err := decodeStream(data, "f.yaml", true, 1<<20)
		if err != nil {
			var re *Error
			if !errors.As(err, &re) || re.File != "f.yaml" {
				t.Fatalf("error %v does not name the file", err)
			}
			return
		}
		for _, o := range objs {
			if o.APIVersion() == "" || o.Kind() == "" {
				t.Fatalf("object without apiVersion or kind: %v", o.Object)
			}
		}
	})
}

// FuzzAliasExpansion: the alias measure never panics, and a document it passes does not
// expand past the limit when decoded.
func FuzzAliasExpansion(f *testing.F) {
	for _, s := range []string{
		laughs(""), stringBomb(100, 3, ""), "a: &a {b: &b [*a]}\n", "x: &x 1\ny: [*x, *x]\n",
		"patches:\n- patch: |\n" + laughs("    "), "&a [*a]", "*a", "a: !!binary &x aGk=\nb: *x\n",
	} {
		f.Add([]byte(s))
	}
	const limit = 1 << 16
	f.Fuzz(func(t *testing.T, data []byte) {
		start := time.Now()
		err := checkAliasExpansion(data, limit)
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("measure took %v on %d bytes", d, len(data))
		}
		if err != nil || !mayHaveAliases(data) || bytes.Count(data, []byte("*")) > maxAliases {
			return
		}
		v, uerr := unmarshalYAML(data)
		if uerr != nil {
			return
		}
		// The measure counts scalars more tightly than valueSize: allow for the difference.
		if s := valueSize(v, 8*limit); s > 8*limit {
			t.Fatalf("passed a document whose value takes %d bytes (limit %d)", s, limit)
		}
	})
}

// FuzzKustomization: a kustomization file of any content is built or refused with an error,
// never a panic or a read outside the repository.
func FuzzKustomization(f *testing.F) {
	for _, s := range []string{
		"resources:\n- cm.yaml\n",
		"resources:\n- ../outside\n",
		"resources:\n- https://example.com/x\n",
		"patches:\n- path: cm.yaml\n- patch: |\n    apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: cm}\n",
		"configMapGenerator:\n- name: g\n  files: [cm.yaml]\n  envs: [/etc/passwd]\n",
		"namePrefix: p-\nresources: [cm.yaml]\nimages: [{name: x, newTag: y}]\n",
		"helmCharts:\n- name: x\n  repo: https://example.com\n",
	} {
		f.Add(s)
	}
	root := f.TempDir()
	writeFile(f, filepath.Join(root, "outside", "kustomization.yaml"), "resources: [s.yaml]\n")
	writeFile(f, filepath.Join(root, "outside", "s.yaml"), "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n")
	repo := filepath.Join(root, "repo")
	writeFile(f, filepath.Join(repo, "app", "cm.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n")
	f.Fuzz(func(t *testing.T, k string) {
		if err := os.WriteFile(filepath.Join(repo, "app", "kustomization.yaml"), []byte(k), 0o644); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		res, err := Render(ctx, filepath.Join(repo, "app"), Options{RepoRoot: repo, SourceType: Kustomize, Timeout: 5 * time.Second})
		if err != nil {
			return
		}
		for _, o := range res.Objects {
			if o.Kind() == "Secret" && o.Name() == "s" {
				t.Fatalf("read outside the repository with %q", k)
			}
			if strings.HasPrefix(o.Source.File, "..") {
				t.Fatalf("source outside the repository: %s", o.Source.File)
			}
		}
	})
}
