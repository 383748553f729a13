package render

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"
)

// viaJSON is the reference decoding: what Argo CD does with a manifest (sigs.k8s.io/yaml to
// JSON, then a JSON decode keeping integers as int64, as unstructured.Unstructured does).
func viaJSON(t *testing.T, doc string) (any, error) {
	t.Helper()
	j, err := yaml.YAMLToJSON([]byte(doc))
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(j))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	var conv func(any) any
	conv = func(v any) any {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				x[k] = conv(e)
			}
		case []any:
			for i, e := range x {
				x[i] = conv(e)
			}
		case json.Number:
			if i, err := x.Int64(); err == nil {
				return i
			}
			f, _ := x.Float64()
			return f
		}
		return v
	}
	return conv(v), nil
}

// TestUnmarshalYAMLMatchesJSONRoundTrip checks that the direct decoder gives exactly the values
// of the YAML -> JSON -> unstructured path Argo CD takes, on the corner cases of YAML 1.1.
func TestUnmarshalYAMLMatchesJSONRoundTrip(t *testing.T) {
	docs := map[string]string{
		"ints and floats":   "a: 1\nb: -7\nc: 1.0\nd: 1.5\ne: 1e3\nf: 1e21\ng: 9223372036854775807\nh: 18446744073709551615\ni: 0x1F\nj: 0o17\nk: -0.0\nl: 1e-7\nm: 123456789012345678901234\n",
		"yaml 1.1 booleans": "a: yes\nb: no\nc: on\nd: off\ne: y\nf: n\ng: True\nh: FALSE\n",
		"nulls and strings": "a: ~\nb: null\nc:\nd: 'quoted'\ne: \"5\"\nf: 2001-12-14\ng: 2001-12-14t21:59:43.10-05:00\nh: !!binary aGVsbG8=\n",
		"non-string keys":   "1: a\n2.5: b\ntrue: c\nnull_: d\n3: [1, 2, {4: x}]\n",
		"annotations":       "metadata:\n  annotations:\n    argocd.argoproj.io/sync-wave: 5\n    x/enabled: true\n    x/ratio: 0.5\n",
		"nested lists":      "a:\n- - 1\n  - [2.0, '3']\n- {b: [c, {d: e}]}\n",
		"anchors":           "base: &b {x: 1, y: [1, 2]}\nuse: *b\nmerge:\n  <<: *b\n  z: 3\n",
		"invalid utf8":      "a: \"\\xff\\xfeok\"\nb: !!binary //4=\nc: !!binary /2Fi/w==\n",
		"special floats":    "a: .5\nb: 6.8523015e+5\nc: 685_230.15\nd: 190:20:30.15\n",
	}
	for name, doc := range docs {
		t.Run(name, func(t *testing.T) {
			want, werr := viaJSON(t, doc)
			got, gerr := unmarshalYAML([]byte(doc))
			if (werr != nil) != (gerr != nil) {
				t.Fatalf("errors differ: reference %v, direct %v", werr, gerr)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("values differ (-reference +direct):\n%s", diff)
			}
		})
	}
	t.Run("infinity is refused like JSON refuses it", func(t *testing.T) {
		for _, doc := range []string{"a: .inf\n", "a: -.Inf\n", "a: .nan\n"} {
			_, werr := viaJSON(t, doc)
			_, gerr := unmarshalYAML([]byte(doc))
			if werr == nil || gerr == nil {
				t.Errorf("%q: reference err %v, direct err %v: want both to fail", strings.TrimSpace(doc), werr, gerr)
			}
		}
	})
}
