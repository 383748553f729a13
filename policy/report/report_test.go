package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wavecheck/wavecheck/policy"
	"github.com/wavecheck/wavecheck/test/golden"
)

func job(name string) policy.ObjectRef {
	return policy.ObjectRef{APIVersion: "batch/v1", Kind: "Job", Namespace: "app", Name: name}
}

// sample is a report exercising every writer feature: several objects and severities, a
// suppressed finding, a finding without a line, a generateName object, characters that need
// escaping in XML, workflow commands and URIs.
func sample() *Report {
	migrate := job("db-migrate")
	gen := policy.ObjectRef{APIVersion: "batch/v1", Kind: "Job", Namespace: "app", GenerateName: "smoke-"}
	cm := policy.ObjectRef{APIVersion: "v1", Kind: "ConfigMap", Namespace: "app", Name: "settings"}
	crd := policy.ObjectRef{APIVersion: "apiextensions.k8s.io/v1", Kind: "CustomResourceDefinition", Name: "widgets.example.com"}
	objects := []Object{
		{Ref: crd, File: "apps/demo/crd.yaml", Line: 1},
		{Ref: cm, File: "apps/demo/config map.yaml", Line: 1},
		{Ref: migrate, File: "apps/demo/hooks.yaml", Line: 1},
		{Ref: gen, File: "apps/demo/hooks.yaml", Line: 24},
		{Ref: policy.ObjectRef{APIVersion: "apps/v1", Kind: "Deployment", Namespace: "app", Name: "web"}, File: "apps/demo/web.yaml", Line: 1},
	}
	findings := []policy.Finding{
		{
			Rule: "hook-job-unbounded", Severity: policy.SeverityWarning,
			Message: "Job hook has no activeDeadlineSeconds: a stuck hook blocks the sync forever",
			Hint:    "set spec.activeDeadlineSeconds and spec.backoffLimit",
			Object:  migrate, File: "apps/demo/hooks.yaml", Line: 1,
		},
		{
			Rule: "hook-unknown-type", Severity: policy.SeverityError,
			Message: `hook type "Presync" is not a sync hook type, so the hook never runs`,
			Hint:    "use one of PreSync, Sync, PostSync, SyncFail, Skip (case-sensitive)",
			Object:  migrate, File: "apps/demo/hooks.yaml", Line: 1,
		},
		{
			Rule: "crd-wave-adjusted", Severity: policy.SeverityInfo,
			Message: "Argo CD moves this CRD before its first custom resource: effective wave -1",
			Object:  crd, File: "apps/demo/crd.yaml", Line: 1,
		},
		{
			Rule: "sync-option-unknown", Severity: policy.SeverityWarning,
			Message: "unknown sync option \"Prune=False\" <ignored>, & not applied: 100% silent\nsecond line",
			Hint:    "use Prune=false",
			Object:  cm, File: "apps/demo/config map.yaml", Line: 1,
		},
		{
			Rule: "no-owner-label", Severity: policy.SeverityError,
			Message: "missing label team",
			Object:  gen,
		},
	}
	suppressed := []Suppressed{{
		Finding: policy.Finding{
			Rule: "hook-named-without-recreate", Severity: policy.SeverityWarning,
			Message: "named hook without BeforeHookCreation", Hint: "add BeforeHookCreation",
			Object: migrate, File: "apps/demo/hooks.yaml", Line: 1,
		},
		By:     "annotation",
		Reason: "the job is deleted by a CronJob cleanup, ticket OPS-12",
	}}
	r := New(Source{Path: "apps/demo", Type: "Directory"}, objects, findings, suppressed)
	r.Tool.Version = "v0.1.0"
	r.SetRules([]policy.Rule{
		{ID: "hook-unknown-type", Severity: policy.SeverityError, Title: "Unknown hook type", Description: "Argo CD ignores hooks whose type it does not know.", Hint: "use a valid hook type", Link: "https://github.com/wavecheck/wavecheck/blob/main/docs/rules.md#hook-unknown-type"},
		{ID: "hook-job-unbounded", Severity: policy.SeverityWarning, Title: "Job hook without limits", Link: "https://github.com/wavecheck/wavecheck/blob/main/docs/rules.md#hook-job-unbounded"},
		{ID: "crd-wave-adjusted", Severity: policy.SeverityInfo, Title: "CRD wave adjusted"},
		{ID: "sync-option-unknown", Severity: policy.SeverityWarning, Title: "Unknown sync option", Link: "docs/rules.md#relative-is-dropped"},
	})
	return r
}

func empty() *Report {
	return New(Source{Path: "apps/clean", Type: "Helm"}, []Object{{Ref: job("ok"), File: "apps/clean/templates/job.yaml"}}, nil, nil)
}

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	golden.Check(t, filepath.Join("testdata", name), got)
}

// goldenFormats are the writers and options the golden tests render, with their file suffix.
var goldenFormats = []struct {
	format string
	opts   Options
	ext    string
}{
	{"text", Options{}, "txt"},
	{"text", Options{Color: true}, "color.txt"},
	{"json", Options{}, "json"},
	{"sarif", Options{}, "sarif"},
	{"junit", Options{}, "xml"},
	{"github", Options{}, "github.txt"},
}

func TestWritersGolden(t *testing.T) {
	tests := goldenFormats
	reports := map[string]func() *Report{"sample": sample, "empty": empty}
	for _, tt := range tests {
		for name, mk := range reports {
			t.Run(tt.format+"/"+tt.ext+"/"+name, func(t *testing.T) {
				w, err := NewWriter(tt.format, tt.opts)
				if err != nil {
					t.Fatal(err)
				}
				if w.Format() != tt.format {
					t.Errorf("Format() = %q, want %q", w.Format(), tt.format)
				}
				var buf bytes.Buffer
				if err := w.Write(&buf, mk()); err != nil {
					t.Fatal(err)
				}
				checkGolden(t, name+"."+tt.ext, buf.Bytes())
			})
		}
	}
}

func TestNewWriterUnknown(t *testing.T) {
	_, err := NewWriter("yaml", Options{})
	if err == nil || !strings.Contains(err.Error(), `unknown format "yaml"`) {
		t.Fatalf("NewWriter(yaml) error = %v, want unknown format", err)
	}
	for _, f := range Formats() {
		if _, err := NewWriter(strings.ToUpper(f), Options{}); err != nil {
			t.Errorf("NewWriter(%q): %v", f, err)
		}
	}
}

func TestSummaryAndFilter(t *testing.T) {
	r := sample()
	if diff := cmp.Diff(Summary{Objects: 5, Errors: 2, Warnings: 2, Infos: 1}, r.Summary); diff != "" {
		t.Errorf("summary (-want +got):\n%s", diff)
	}
	if !r.Failed(false) {
		t.Error("Failed(false) = false with errors")
	}
	tests := []struct {
		min            policy.Severity
		want           Summary
		suppressed     int
		fail, failWarn bool
	}{
		{"", Summary{Objects: 5, Errors: 2, Warnings: 2, Infos: 1}, 1, true, true},
		{policy.SeverityInfo, Summary{Objects: 5, Errors: 2, Warnings: 2, Infos: 1}, 1, true, true},
		{policy.SeverityWarning, Summary{Objects: 5, Errors: 2, Warnings: 2}, 1, true, true},
		{policy.SeverityError, Summary{Objects: 5, Errors: 2}, 0, true, true},
	}
	for _, tt := range tests {
		t.Run(string(tt.min), func(t *testing.T) {
			r := sample()
			r.Filter(tt.min)
			if diff := cmp.Diff(tt.want, r.Summary); diff != "" {
				t.Errorf("summary (-want +got):\n%s", diff)
			}
			if len(r.Suppressed) != tt.suppressed {
				t.Errorf("suppressed = %d, want %d", len(r.Suppressed), tt.suppressed)
			}
			if r.Failed(false) != tt.fail || r.Failed(true) != tt.failWarn {
				t.Errorf("Failed = %v/%v, want %v/%v", r.Failed(false), r.Failed(true), tt.fail, tt.failWarn)
			}
		})
	}
	warnOnly := New(Source{}, nil, []policy.Finding{{Rule: "x", Severity: policy.SeverityWarning}}, nil)
	if warnOnly.Failed(false) || !warnOnly.Failed(true) {
		t.Errorf("warning-only report: Failed(false)=%v Failed(true)=%v, want false/true", warnOnly.Failed(false), warnOnly.Failed(true))
	}
}

// TestJSONContract checks the exact key set of the stable JSON report, independently of the
// golden file, so that a renamed struct tag cannot slip through with -update.
//
// Regression: a report of an Argo CD Application (source.application) broke the contract.
func TestJSONContract(t *testing.T) {
	app := sample()
	app.Source.Application = "shop"
	for name, r := range map[string]*Report{"sample": sample(), "empty": empty(), "application": app} {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := (JSON{}).Write(&buf, r); err != nil {
				t.Fatal(err)
			}
			if err := CheckJSONContract(buf.Bytes()); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestGitHubEscaping(t *testing.T) {
	tests := []struct{ in, data, prop string }{
		{"plain", "plain", "plain"},
		{"a:b,c", "a:b,c", "a%3Ab%2Cc"},
		{"100%\r\nnext", "100%25%0D%0Anext", "100%25%0D%0Anext"},
	}
	for _, tt := range tests {
		if got := escapeData(tt.in); got != tt.data {
			t.Errorf("escapeData(%q) = %q, want %q", tt.in, got, tt.data)
		}
		if got := escapeProperty(tt.in); got != tt.prop {
			t.Errorf("escapeProperty(%q) = %q, want %q", tt.in, got, tt.prop)
		}
	}
	var buf bytes.Buffer
	if err := (GitHub{}).Write(&buf, sample()); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		if !strings.HasPrefix(line, "::") {
			if !strings.HasPrefix(line, "wavecheck: ") {
				t.Errorf("unexpected line %q", line)
			}
			continue
		}
		// A command is "::name props::message"; after escaping, the message holds no newline
		// and the properties hold no "::".
		rest := strings.TrimPrefix(line, "::")
		head, msg, ok := strings.Cut(rest, "::")
		if !ok || msg == "" || strings.Contains(head, "\n") {
			t.Errorf("malformed workflow command %q", line)
		}
	}
}

func TestJUnitWellFormed(t *testing.T) {
	var buf bytes.Buffer
	if err := (JUnit{}).Write(&buf, sample()); err != nil {
		t.Fatal(err)
	}
	var doc junitSuites
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("parse junit: %v", err)
	}
	if len(doc.Suites) != 1 {
		t.Fatalf("testsuites = %d, want 1", len(doc.Suites))
	}
	s := doc.Suites[0]
	// Five objects, one test case each; the objects with errors or warnings fail (the CRD only
	// has an info finding).
	if s.Tests != 5 || len(s.Cases) != 5 || s.Failures != 3 {
		t.Errorf("tests=%d cases=%d failures=%d, want 5/5/3", s.Tests, len(s.Cases), s.Failures)
	}
	var failed []string
	for _, c := range s.Cases {
		if c.Failure != nil {
			failed = append(failed, c.Name+"="+c.Failure.Type)
		}
	}
	want := []string{"ConfigMap/settings (ns: app)=warning", "Job/db-migrate (ns: app)=error", "Job/smoke-* (ns: app)=error"}
	if diff := cmp.Diff(want, failed); diff != "" {
		t.Errorf("failed cases (-want +got):\n%s", diff)
	}
}

func TestSARIFLocations(t *testing.T) {
	var buf bytes.Buffer
	if err := (SARIF{}).Write(&buf, sample()); err != nil {
		t.Fatal(err)
	}
	var log sarifLog
	if err := json.Unmarshal(buf.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	run := log.Runs[0]
	var got []string
	for _, res := range run.Results {
		loc := res.Locations[0].PhysicalLocation
		s := res.RuleID + " " + loc.ArtifactLocation.URI
		if loc.Region != nil {
			s += ":" + strconv.Itoa(loc.Region.StartLine)
		}
		if len(res.Suppressions) > 0 {
			s += " suppressed"
		}
		if run.Tool.Driver.Rules[res.RuleIndex].ID != res.RuleID {
			t.Errorf("result %s: ruleIndex %d points at %s", res.RuleID, res.RuleIndex, run.Tool.Driver.Rules[res.RuleIndex].ID)
		}
		got = append(got, s)
	}
	want := []string{
		// No file: the app directory stands in.
		"no-owner-label apps/demo:1",
		"sync-option-unknown apps/demo/config%20map.yaml:1",
		"crd-wave-adjusted apps/demo/crd.yaml:1",
		"hook-unknown-type apps/demo/hooks.yaml:1",
		"hook-job-unbounded apps/demo/hooks.yaml:1",
		"hook-named-without-recreate apps/demo/hooks.yaml:1 suppressed",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
	var ids []string
	for _, r := range run.Tool.Driver.Rules {
		ids = append(ids, r.ID+"="+r.DefaultConfiguration.Level+" "+r.HelpURI)
	}
	wantIDs := []string{
		"crd-wave-adjusted=note ",
		"hook-job-unbounded=warning https://github.com/wavecheck/wavecheck/blob/main/docs/rules.md#hook-job-unbounded",
		"hook-named-without-recreate=warning ",
		"hook-unknown-type=error https://github.com/wavecheck/wavecheck/blob/main/docs/rules.md#hook-unknown-type",
		"no-owner-label=error ",
		"sync-option-unknown=warning ",
	}
	if diff := cmp.Diff(wantIDs, ids); diff != "" {
		t.Errorf("rules (-want +got):\n%s", diff)
	}
}

// failingWriter fails every write, like a closed pipe.
type failingWriter struct{}

var errClosed = errors.New("write on closed pipe")

func (failingWriter) Write([]byte) (int, error) { return 0, errClosed }

// The line writers (text, github) print through a bufio.Writer whose first error is sticky:
// every format must return the error of its destination, not drop it.
func TestWritersReturnWriteErrors(t *testing.T) {
	for _, f := range Formats() {
		w, err := NewWriter(f, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Write(failingWriter{}, sample()); !errors.Is(err, errClosed) {
			t.Errorf("%s writer: error %v, want %v", f, err, errClosed)
		}
	}
}
