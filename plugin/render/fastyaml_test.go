package render

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// fastYAMLCases are documents at the edges of what fastYAML accepts. Each must either be
// refused or give exactly what go-yaml gives; fast says which one is expected, so a change
// that silently sends common manifests to the slow path fails too.
var fastYAMLCases = []struct {
	name string
	doc  string
	fast bool
}{
	{"mapping", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n", true},
	{"k8s-style sequence", "a:\n- x\n- y\nb: 1\n", true},
	{"indented sequence", "a:\n  - x\n  - y\nb: 1\n", true},
	{"sequence of mappings", "c:\n- name: a\n  ports:\n  - containerPort: 80\n  env:\n  - name: X\n    value: \"1\"\n- name: b\n", true},
	{"dash then block", "a:\n-\n  b: 1\n-\n- c\n", true},
	{"empty values", "a:\nb: # c\nc: ~\nd: null\ne: {}\nf: []\n", true},
	{"yaml 1.1 words", "a: yes\nb: Off\nc: y\nd: N\ne: TRUE\nf: on\ng: no\n", true},
	{"numbers", "a: 1\nb: -3\nc: 0\nd: 010\ne: 0x1F\nf: 1.5\ng: 1e3\nh: .5\ni: +1\nj: 1_000\nk: 123456789012345678901\nl: -0\nm: 1.0\n", true},
	{"special floats", "a: .inf\n", false}, // JSON has no infinity: go-yaml's path reports it
	{"timestamps", "a: 2001-12-14\nb: 2001-12-14t21:59:43.10-05:00\n", true},
	{"strings", "a: nginx:1.25\nb: http://x/y?z=1\nc: a#b\nd: hello world\ne: -foo\nf: foo bar # comment\ng: \"q: x\"\nh: 'it''s'\ni: \"a\\tb\"\nj: \"x\" # c\n", true},
	{"quoted keys", "\"a b\": 1\n'c': 2\n", true},
	{"comments and blank lines", "# head\n\na: 1\n  # indented comment\nb:\n  # inside\n  c: 2\n", true},
	{"trailing spaces", "a: b   \nc:   \n  d: e\n", true},
	{"word keys", "on: 1\n", false},
	{"number keys", "1: a\n", false},
	{"merge key", "a: &x\n  b: 1\nc:\n  <<: *x\n", false},
	{"anchor", "a: &x 1\n", false},
	{"block scalar", "a: |\n  line\n", false},
	{"folded scalar", "a: >-\n  line\n", false},
	{"tag", "a: !!str 1\n", false},
	{"flow mapping", "a: {b: 1}\n", false},
	{"flow sequences", "a: [1, 2]\nb: [\"sh\", \"-c\", 'echo it''s']\nc: [ x ,y ] # c\nd:\n- [a, -1, yes, 0x1F, .5, \"t\\tu\", a=b, x/y.z]\ne: [-c]\n", true},
	{"flow sequence trailing comma", "a: [x, ]\n", false},
	{"flow sequence with spaces", "a: [x y]\n", false},
	{"nested flow sequence", "a: [[x]]\n", false},
	{"flow sequence with mapping", "a: [x: y]\n", false},
	{"flow sequence comment inside", "a: [\"x #y\"]\n", false},
	{"flow sequence dash", "a: [-]\n", false},
	{"unterminated flow sequence", "a: [x,\n  y]\n", false},
	{"multi-line plain", "a: one\n  two\n", false},
	{"multi-line quoted", "a: \"one\n  two\"\n", false},
	{"complex key", "? a\n: b\n", false},
	{"tab", "a:\n\tb: 1\n", false},
	{"crlf", "a: 1\r\nb: 2\r\n", false},
	{"non-ascii", "a: caf\u00e9\n", false},
	{"duplicate key", "a: 1\na: 2\n", false},
	{"colon in value", "a: b: c\n", false},
	{"scalar document", "just text\n", false},
	{"sequence document", "- a\n", false},
	{"indented document", "  a: 1\n", false},
	{"document marker", "--- \na: 1\n", false},
	{"bad indentation", "a:\n    b: 1\n  c: 2\n", false},
	{"sequence then key", "a:\n  - x\n  b: 1\n", false},
	{"escaped key", "\"a\\tb\": 1\n", false},
	{"nested dash", "a:\n- - x\n", false},
	{"dash alone value", "a: -\n", false},
	{"dash value", "a: - x\n", false},
	{"comment after quote without space", "a: \"x\"#c\n", false},
	{"no space after colon", "a:b\n", false},
}

func TestFastYAMLCases(t *testing.T) {
	for _, tc := range fastYAMLCases {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := fastYAML([]byte(tc.doc))
			if ok != tc.fast {
				t.Fatalf("fast path taken = %v, want %v", ok, tc.fast)
			}
			if !ok {
				return
			}
			want, err := unmarshalYAML([]byte(tc.doc))
			if err != nil {
				t.Fatalf("go-yaml refuses a document the fast path accepted: %v", err)
			}
			if diff := cmp.Diff(want, any(got)); diff != "" {
				t.Errorf("fastYAML differs from go-yaml (-go-yaml +fast):\n%s", diff)
			}
		})
	}
}

// TestFastYAMLMatchesGoYAML decodes every YAML document in the repository's test data, the
// examples and the rendered goldens both ways.
func TestFastYAMLMatchesGoYAML(t *testing.T) {
	var docs, fast int
	for _, root := range []string{"testdata", "../../examples", "../../policy/testdata", "../../engine/testdata"} {
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			if ext := filepath.Ext(p); ext != ".yaml" && ext != ".yml" {
				return nil
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			split, err := splitDocuments(data)
			if err != nil {
				return nil // not a stream the renderer reads either
			}
			for _, d := range split {
				want, err := unmarshalYAML(d.data)
				got, ok := fastYAML(d.data)
				docs++
				if !ok {
					continue
				}
				fast++
				if err != nil {
					t.Errorf("%s document %d: go-yaml refuses a document the fast path accepted: %v", p, d.idx, err)
					continue
				}
				if diff := cmp.Diff(want, any(got)); diff != "" {
					t.Errorf("%s document %d: fastYAML differs from go-yaml (-go-yaml +fast):\n%s", p, d.idx, diff)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("%d documents, %d on the fast path", docs, fast)
	if docs < 300 || fast*2 < docs {
		t.Errorf("%d of %d documents on the fast path: want at least half of several hundred", fast, docs)
	}
}

// TestFastYAMLOnRenderedOutput checks the documents render.Write prints (what Helm and
// kustomize output looks like too) all take the fast path.
func TestFastYAMLOnRenderedOutput(t *testing.T) {
	res, err := Render(context.Background(), filepath.Join("testdata", "dir", "mixed"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := Write(&buf, res.Objects); err != nil {
		t.Fatal(err)
	}
	docs, err := splitDocuments(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range docs {
		if _, ok := fastYAML(d.data); !ok && !bytes.ContainsAny(d.data, "|>&*!\t\r") && isASCII(d.data) {
			t.Errorf("document %d of the written stream misses the fast path:\n%s", d.idx, d.data)
		}
	}
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

func FuzzFastYAML(f *testing.F) {
	for _, tc := range fastYAMLCases {
		f.Add(tc.doc)
	}
	f.Add(strings.Repeat("a:\n  b:\n  - c: 1\n    d: [x]\n", 3))
	f.Fuzz(func(t *testing.T, doc string) {
		got, ok := fastYAML([]byte(doc))
		if !ok {
			return
		}
		want, err := unmarshalYAML([]byte(doc))
		if err != nil {
			t.Fatalf("go-yaml refuses %q, which the fast path accepted: %v", doc, err)
		}
		if diff := cmp.Diff(want, any(got)); diff != "" {
			t.Fatalf("fastYAML differs from go-yaml on %q (-go-yaml +fast):\n%s", doc, diff)
		}
	})
}

// TestFastYAMLRandomDocuments builds documents from manifest-like pieces (nested mappings and
// sequences in both indentation styles, comments, tricky scalars) with a fixed seed and checks
// that every one the fast path accepts decodes as go-yaml decodes it.
func TestFastYAMLRandomDocuments(t *testing.T) {
	scalars := []string{"a", "b c", "x # note", "'q''s'", `"d: q"`, `"e\tf"`, "1", "-2", "010", "0x10", "1.5", "1e3",
		"yes", "Off", "~", "null", "", "{}", "[]", "2001-12-14", "-x", "a:b", "http://h:1/p", "-", "- x", "a: b", "|", ">",
		"&a x", "*a", "!t x", "[a]", "{a: 1}", "[a, 'b', \"c d\", 1, -x]", "[ y , .5 ]", "[a,]", "[a b]", "[[a]]", "[a] x", "[a] #c", "[\"a\\\"b\"]", "\"open", "'open", ".5", "+1", "1_0", "@x", "`x", "%x", "?x", "? x", "#c"}
	keys := []string{"k", "name", "a.b/c", "on", "y", "1", "<<", `"q k"`, "'s k'", "-k", "k k", "k:", "k #"}
	rng := rand.New(rand.NewPCG(1, 2))
	var gen func(b *strings.Builder, indent, depth int, k8sStyle bool)
	gen = func(b *strings.Builder, indent, depth int, k8sStyle bool) {
		pad := strings.Repeat(" ", indent)
		for range 1 + rng.IntN(3) {
			key := keys[rng.IntN(len(keys))]
			if rng.IntN(4) > 0 {
				key = keys[rng.IntN(3)] + strconv.Itoa(rng.IntN(50))
			}
			switch r := rng.IntN(10); {
			case r < 5 || depth > 3:
				fmt.Fprintf(b, "%s%s: %s\n", pad, key, scalars[rng.IntN(len(scalars))])
			case r < 7:
				fmt.Fprintf(b, "%s%s:\n", pad, key)
				gen(b, indent+2, depth+1, k8sStyle)
			case r < 8:
				fmt.Fprintf(b, "%s# comment\n", pad)
			default:
				fmt.Fprintf(b, "%s%s:\n", pad, key)
				seq := indent
				if !k8sStyle {
					seq += 2
				}
				sp := strings.Repeat(" ", seq)
				for range 1 + rng.IntN(3) {
					if rng.IntN(2) == 0 {
						fmt.Fprintf(b, "%s- %s\n", sp, scalars[rng.IntN(len(scalars))])
						continue
					}
					var item strings.Builder
					gen(&item, seq+2, depth+1, k8sStyle)
					// "- " replaces the indentation of the item's first line.
					fmt.Fprintf(b, "%s- %s", sp, strings.TrimLeft(item.String(), " "))
				}
			}
		}
	}
	fast := 0
	for i := range 20000 {
		var b strings.Builder
		gen(&b, 0, 0, i%2 == 0)
		doc := b.String()
		got, ok := fastYAML([]byte(doc))
		if !ok {
			continue
		}
		fast++
		want, err := unmarshalYAML([]byte(doc))
		if err != nil {
			t.Fatalf("go-yaml refuses a document the fast path accepted: %v\n%s", err, doc)
		}
		if diff := cmp.Diff(want, any(got)); diff != "" {
			t.Fatalf("fastYAML differs from go-yaml (-go-yaml +fast):\n%s\n%s", diff, doc)
		}
	}
	t.Logf("%d of 20000 random documents on the fast path", fast)
	if fast < 2000 {
		t.Errorf("only %d random documents on the fast path: the generator tests little", fast)
	}
}
