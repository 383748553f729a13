package render

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/wavecheck/wavecheck/internal/manifest"
	"sigs.k8s.io/yaml"
)

// TestMarshalYAMLMatchesSigsYAML checks that Write's direct marshaller prints exactly what
// sigs.k8s.io/yaml.Marshal (JSON, then YAML) prints, on the benchmark stream, the test apps and
// values that YAML quotes or orders specially.
func TestMarshalYAMLMatchesSigsYAML(t *testing.T) {
	tricky := map[string]any{
		"apiVersion": "v1", "kind": "ConfigMap",
		"metadata": map[string]any{"name": "n", "annotations": map[string]any{
			"a9": "yes", "a10": "no", "b": int64(5), "c": true, "d": 1.5, "e": "", "f": "1.0",
			"g": "multi\nline\n", "h": "  spaces  ", "i": "#comment", "j": "a: b", "k": nil,
			"l": 1e21, "m": int64(-9223372036854775808), "n": "\u00e9\u4e2d", "o": "~", "p": "0x1F",
			"q": "2001-12-14", "r": "'quoted'", "s": "null", "t": []any{}, "u": map[string]any{},
			"x10": []any{int64(1), "2", map[string]any{"z": "y", "Z": "Y", "z1": 0.0}},
		}},
	}
	objs, err := decodeStream(benchStream(500), "bench.yaml", false, DefaultMaxFileBytes)
	if err != nil {
		t.Fatal(err)
	}
	objs = append(objs, manifest.Object{Object: tricky})
	for _, o := range objs {
		want, err := yaml.Marshal(o.Object)
		if err != nil {
			t.Fatal(err)
		}
		got, err := marshalYAML(o.Object)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(string(want), string(got)); diff != "" {
			t.Fatalf("%s: output differs (-sigs.k8s.io/yaml +direct):\n%s", o.Ref(), diff)
		}
	}
}
