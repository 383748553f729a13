package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

func TestWriteAllGolden(t *testing.T) {
	tests := goldenFormats
	for _, tt := range tests {
		t.Run(tt.format+"/"+tt.ext, func(t *testing.T) {
			w, err := NewWriter(tt.format, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := WriteAll(w, &buf, []*Report{sample(), empty()}); err != nil {
				t.Fatal(err)
			}
			checkGolden(t, "multi."+tt.ext, buf.Bytes())

			// One report is written exactly as Write writes it.
			var one, single bytes.Buffer
			if err := WriteAll(w, &one, []*Report{sample()}); err != nil {
				t.Fatal(err)
			}
			if err := w.Write(&single, sample()); err != nil {
				t.Fatal(err)
			}
			if one.String() != single.String() {
				t.Errorf("WriteAll of one report differs from Write")
			}
		})
	}
	if err := WriteAll(JSON{}, &bytes.Buffer{}, nil); err == nil {
		t.Error("WriteAll of no report: want an error")
	}
}

// TestSARIFMultiRuns: one run per app, each with its own automationDetails.id, and the log
// still validates against the schema.
func TestSARIFMultiRuns(t *testing.T) {
	var buf bytes.Buffer
	if err := (SARIF{}).WriteAll(&buf, []*Report{sample(), empty()}); err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if err := compileSARIFSchema(t).Validate(doc); err != nil {
		t.Fatalf("SARIF output does not validate:\n%v", err)
	}
	var log struct {
		Runs []struct {
			AutomationDetails struct{ ID string }
			Results           []json.RawMessage
		}
	}
	if err := json.Unmarshal(buf.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range log.Runs {
		ids = append(ids, r.AutomationDetails.ID)
	}
	if got, want := strings.Join(ids, " "), "wavecheck/apps/demo/ wavecheck/apps/clean/"; got != want {
		t.Errorf("automationDetails ids = %q, want %q", got, want)
	}
	if n := len(log.Runs[0].Results); n != 6 {
		t.Errorf("first run has %d results, want 6 (5 findings + 1 suppressed)", n)
	}
	if n := len(log.Runs[1].Results); n != 0 {
		t.Errorf("second run has %d results, want 0", n)
	}
}

func TestMultiJSONContract(t *testing.T) {
	var buf bytes.Buffer
	if err := (JSON{}).WriteAll(&buf, []*Report{sample(), empty()}); err != nil {
		t.Fatal(err)
	}
	if err := CheckMultiJSONContract(buf.Bytes()); err != nil {
		t.Fatal(err)
	}
	bad := strings.Replace(buf.String(), `"errors": 2`, `"errors": 3`, 1)
	if bad == buf.String() {
		t.Fatal("test fixture: no total errors count to corrupt")
	}
	if err := CheckMultiJSONContract([]byte(bad)); err == nil {
		t.Error("a wrong total summary passes the contract check")
	}
}

func TestJUnitMultiSuites(t *testing.T) {
	var buf bytes.Buffer
	if err := (JUnit{}).WriteAll(&buf, []*Report{sample(), empty()}); err != nil {
		t.Fatal(err)
	}
	var doc junitSuites
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Suites) != 2 {
		t.Fatalf("%d suites, want 2", len(doc.Suites))
	}
	if doc.Tests != doc.Suites[0].Tests+doc.Suites[1].Tests || doc.Failures != doc.Suites[0].Failures+doc.Suites[1].Failures {
		t.Errorf("totals %d tests %d failures are not the suites' sums", doc.Tests, doc.Failures)
	}
}

func TestAnyFailedAndTotal(t *testing.T) {
	rs := []*Report{empty(), sample()}
	if !AnyFailed(rs, false) {
		t.Error("AnyFailed = false with an error finding in the second report")
	}
	if AnyFailed([]*Report{empty(), empty()}, true) {
		t.Error("AnyFailed = true on clean reports")
	}
	if got := Total(rs); got.Objects != 6 || got.Errors != 2 || got.Warnings != 2 || got.Infos != 1 {
		t.Errorf("Total = %+v", got)
	}
}
