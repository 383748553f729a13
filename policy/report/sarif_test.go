package report

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// The official SARIF 2.1.0 schema (OASIS) cannot be vendored: its repository is under the OASIS
// IPR policy, not an open-source licence. testdata/sarif-2.1.0-github-subset.schema.json is our
// own schema for the objects we emit, with the spec's value constraints and GitHub's required
// properties; the writer output is validated against it with a real JSON Schema validator.
const sarifSchemaFile = "testdata/sarif-2.1.0-github-subset.schema.json"

func compileSARIFSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	data, err := os.ReadFile(sarifSchemaFile)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("parse schema: %v", err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("sarif.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("sarif.schema.json")
	if err != nil {
		t.Fatalf("compile schema: %v", err)
	}
	return sch
}

func sarifOf(t *testing.T, r *Report) map[string]any {
	t.Helper()
	var buf bytes.Buffer
	if err := (SARIF{}).Write(&buf, r); err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(&buf)
	if err != nil {
		t.Fatal(err)
	}
	return doc.(map[string]any)
}

func TestSARIFSchema(t *testing.T) {
	sch := compileSARIFSchema(t)
	for name, mk := range map[string]func() *Report{"sample": sample, "empty": empty} {
		t.Run(name, func(t *testing.T) {
			if err := sch.Validate(sarifOf(t, mk())); err != nil {
				t.Fatalf("SARIF output does not validate:\n%v", err)
			}
		})
	}
}

// TestSARIFSchemaRejects makes sure the schema is not vacuous: each mutation of a valid log
// breaks a constraint GitHub or the spec imposes and must fail validation.
func TestSARIFSchemaRejects(t *testing.T) {
	sch := compileSARIFSchema(t)
	result := func(doc map[string]any) map[string]any {
		return doc["runs"].([]any)[0].(map[string]any)["results"].([]any)[0].(map[string]any)
	}
	region := func(doc map[string]any) map[string]any {
		loc := result(doc)["locations"].([]any)[0].(map[string]any)
		return loc["physicalLocation"].(map[string]any)["region"].(map[string]any)
	}
	rule := func(doc map[string]any) map[string]any {
		return doc["runs"].([]any)[0].(map[string]any)["tool"].(map[string]any)["driver"].(map[string]any)["rules"].([]any)[0].(map[string]any)
	}
	tests := []struct {
		name   string
		mutate func(doc map[string]any)
		want   string
	}{
		{"wrong version", func(d map[string]any) { d["version"] = "2.0.0" }, "version"},
		{"no ruleId", func(d map[string]any) { delete(result(d), "ruleId") }, "ruleId"},
		{"bad level", func(d map[string]any) { result(d)["level"] = "info" }, "level"},
		{"line zero", func(d map[string]any) { region(d)["startLine"] = json.Number("0") }, "startLine"},
		{"no message text", func(d map[string]any) { result(d)["message"] = map[string]any{} }, "text"},
		{"no fingerprints", func(d map[string]any) { delete(result(d), "partialFingerprints") }, "partialFingerprints"},
		{"absolute uri", func(d map[string]any) {
			loc := result(d)["locations"].([]any)[0].(map[string]any)["physicalLocation"].(map[string]any)
			loc["artifactLocation"].(map[string]any)["uri"] = "/abs/path.yaml"
		}, "uri"},
		{"rule without help", func(d map[string]any) { delete(rule(d), "help") }, "help"},
		{"misspelt property", func(d map[string]any) { result(d)["ruleID"] = "x" }, "ruleID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := sarifOf(t, sample())
			tt.mutate(doc)
			err := sch.Validate(doc)
			if err == nil {
				t.Fatal("mutated log validated, want an error")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error does not mention %q:\n%v", tt.want, err)
			}
		})
	}
}
