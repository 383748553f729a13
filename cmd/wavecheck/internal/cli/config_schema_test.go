package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"sigs.k8s.io/yaml"

	"github.com/wavecheck/wavecheck/internal/argocd"
	"github.com/wavecheck/wavecheck/policy/report"
)

const configSchema = "../../../../docs/wavecheck.schema.json"

// loadConfigSchema compiles docs/wavecheck.schema.json and returns it with its parsed JSON.
func loadConfigSchema(t *testing.T) (*jsonschema.Schema, map[string]any) {
	t.Helper()
	b, err := os.ReadFile(configSchema)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: %v", configSchema, err)
	}
	id := doc.(map[string]any)["$id"].(string)
	c := jsonschema.NewCompiler()
	if err := c.AddResource(id, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(id)
	if err != nil {
		t.Fatalf("compile %s: %v", configSchema, err)
	}
	var raw map[string]any
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	return s, raw
}

// TestConfigSchemaKeys: the schema of .wavecheck.yaml has exactly the keys of the config struct,
// and its fixed answers are the ones the binary has (tracking methods, report formats).
func TestConfigSchemaKeys(t *testing.T) {
	_, raw := loadConfigSchema(t)
	props := raw["properties"].(map[string]any)
	var schemaKeys, goKeys []string
	for k := range props {
		schemaKeys = append(schemaKeys, k)
	}
	ct := reflect.TypeFor[config]()
	for i := range ct.NumField() {
		if tag := ct.Field(i).Tag.Get("json"); tag != "" {
			goKeys = append(goKeys, strings.Split(tag, ",")[0])
		}
	}
	slices.Sort(schemaKeys)
	slices.Sort(goKeys)
	if diff := cmp.Diff(goKeys, schemaKeys); diff != "" {
		t.Errorf("schema keys differ from the config struct (-go +schema):\n%s", diff)
	}
	if raw["additionalProperties"] != false {
		t.Error("the schema must refuse unknown keys, as loadConfig does")
	}
	var tracking []string
	for _, v := range props["trackingMethod"].(map[string]any)["enum"].([]any) {
		tracking = append(tracking, v.(string))
	}
	if diff := cmp.Diff(argocd.TrackingMethods(), tracking); diff != "" {
		t.Errorf("trackingMethod enum (-binary +schema):\n%s", diff)
	}
	pattern := props["outputs"].(map[string]any)["items"].(map[string]any)["pattern"].(string)
	if want := "^(" + strings.Join(report.Formats(), "|") + ")(=.+)?$"; pattern != want {
		t.Errorf("outputs pattern %q, want %q (report.Formats)", pattern, want)
	}
	if _, err := regexp.Compile(pattern); err != nil {
		t.Error(err)
	}
}

// TestConfigSchemaAgreesWithLoader: every sample the schema accepts loads, and every sample it
// refuses is refused by loadConfig too (the loader also takes aliases such as warn, which the
// schema leaves out so that editors suggest the canonical words).
func TestConfigSchemaAgreesWithLoader(t *testing.T) {
	s, _ := loadConfigSchema(t)
	tests := []struct {
		name, doc string
		valid     bool
	}{
		{"empty", "{}", true},
		{"every key", `argocdVersion: "3.6"
trackingMethod: annotation+label
ignore: [hook-job-unbounded]
failOn: warning
minSeverity: info
policies: [policy]
data: [data.yaml]
policyNamespaces: [main, team]
regoVersion: v0
outputs: [text, sarif=out/wavecheck.sarif]
severity: {application-wave-health: error, hook-job-unbounded: info}
`, true},
		{"patch version", "argocdVersion: v3.3.1\n", true},
		{"unknown key", "ignores: [x]\n", false},
		{"failOn info", "failOn: info\n", false},
		{"tracking method typo", "trackingMethod: labels\n", false},
		{"rego version", "regoVersion: v2\n", false},
		{"min severity", "minSeverity: fatal\n", false},
		{"severity level", "severity: {x: fatal}\n", false},
		{"argocd version", "argocdVersion: three\n", false},
		{"ignore not a list", "ignore: hook-job-unbounded\n", false},
	}
	// The README's sample configuration.
	readme, err := os.ReadFile("../../../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	sample := regexp.MustCompile("(?s)\n  ```yaml\n(  argocdVersion:.*?)\n  ```\n").FindSubmatch(readme)
	if sample == nil {
		t.Fatal("README.md: no .wavecheck.yaml sample (a yaml block starting with argocdVersion)")
	}
	tests = append(tests, struct {
		name, doc string
		valid     bool
	}{"README sample", strings.ReplaceAll(string(sample[1]), "\n  ", "\n")[2:], true})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			js, err := yaml.YAMLToJSON([]byte(tt.doc))
			if err != nil {
				t.Fatal(err)
			}
			inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(js))
			if err != nil {
				t.Fatal(err)
			}
			schemaErr := s.Validate(inst)
			if (schemaErr == nil) != tt.valid {
				t.Errorf("schema: valid = %v, want %v (%v)", schemaErr == nil, tt.valid, schemaErr)
			}
			p := filepath.Join(t.TempDir(), ConfigFile)
			if err := os.WriteFile(p, []byte(tt.doc), 0o644); err != nil {
				t.Fatal(err)
			}
			_, loadErr := loadConfig(p)
			if (loadErr == nil) != tt.valid {
				t.Errorf("loadConfig: valid = %v, want %v (%v)", loadErr == nil, tt.valid, loadErr)
			}
		})
	}
}
