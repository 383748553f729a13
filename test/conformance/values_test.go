package conformance_test

import (
	"encoding/json"
	"testing"

	"github.com/argoproj/argo-cd/v3/pkg/apis/application/v1alpha1"
	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"

	"github.com/wavecheck/wavecheck/internal/argocd"
)

// TestHelmInlineValues pins internal/argocd's ApplicationSourceHelm.ValuesJSON (the inline values
// wavecheck passes to Helm, from an Application's helm block or the plugin's values and
// values-object parameters) to Argo CD's ApplicationSourceHelm.ValuesYAML and ValuesIsEmpty
// (pkg/apis/application/v1alpha1/values.go, v3.6.1): valuesObject, when present and not null,
// wins over values, even when it is an empty object.
func TestHelmInlineValues(t *testing.T) {
	cases := []string{
		`{}`,
		`{"values": ""}`,
		`{"values": "color: red\nsize: 2\n"}`,
		`{"values": "color: red", "valuesObject": {"color": "pink", "labels": {"a": "b"}}}`,
		`{"valuesObject": {"color": "pink"}}`,
		`{"values": "color: red", "valuesObject": {}}`,
		`{"values": "color: red", "valuesObject": null}`,
		`{"valuesObject": {"list": [1, 2, {"x": null}], "n": 1.5, "s": "a&b<c>"}}`,
		`{"values": "# only a comment\n"}`,
	}
	for _, c := range cases {
		t.Run(c, func(t *testing.T) {
			var theirs v1alpha1.ApplicationSourceHelm
			if err := json.Unmarshal([]byte(c), &theirs); err != nil {
				t.Fatal(err)
			}
			var ours argocd.ApplicationSourceHelm
			if err := json.Unmarshal([]byte(c), &ours); err != nil {
				t.Fatal(err)
			}
			want, got := string(theirs.ValuesYAML()), ours.ValuesJSON()
			if theirs.ValuesIsEmpty() != (got == "") {
				t.Fatalf("empty: Argo CD %v, wavecheck %q", theirs.ValuesIsEmpty(), got)
			}
			var wantV, gotV any
			if err := yaml.Unmarshal([]byte(want), &wantV); err != nil {
				t.Fatal(err)
			}
			if err := yaml.Unmarshal([]byte(got), &gotV); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(wantV, gotV); diff != "" {
				t.Errorf("inline values differ (-argocd +wavecheck):\n%s\nArgo CD:\n%s\nwavecheck:\n%s", diff, want, got)
			}
		})
	}
}
