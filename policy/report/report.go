// Package report turns policy findings into reports: a stable JSON contract and the text,
// SARIF, JUnit and GitHub workflow-command renderings of it. Each format is one Writer.
package report

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/wavecheck/wavecheck/policy"
)

// Version is the version of the JSON report contract.
const Version = 1

// Report is the result of linting one application. Its JSON form is a stable contract:
//
//	{"version":1,"source":{"path","type"},"findings":[{"rule","severity","message","hint",
//	 "object":{"apiVersion","kind","namespace","name","generateName"},"file","line"}],
//	 "suppressed":[...finding fields plus "by" and "reason"],"summary":{"objects","errors","warnings","infos"}}
//
// Fields tagged `json:"-"` only feed the other writers.
type Report struct {
	Version  int              `json:"version"`
	Source   Source           `json:"source"`
	Findings []policy.Finding `json:"findings"`
	// Suppressed holds findings silenced by a wavecheck.io/ignore annotation or --ignore.
	Suppressed []Suppressed `json:"suppressed"`
	Summary    Summary      `json:"summary"`

	// Objects are the linted objects, in render order (JUnit test cases).
	Objects []Object `json:"-"`
	// Rules is the metadata of known rules, by id (SARIF rule descriptors, help links).
	Rules map[string]policy.Rule `json:"-"`
	// Tool names the producing tool (SARIF driver).
	Tool Tool `json:"-"`
}

// Source is the linted application.
type Source struct {
	// Path is the application directory, relative to the repository root, slash-separated.
	Path string `json:"path"`
	// Type is the source type as Argo CD names it: Directory, Kustomize or Helm; Application
	// for an Argo CD Application (Path is then the Application file).
	Type string `json:"type"`
	// Application is the Application's name when the input is an Argo CD Application.
	Application string `json:"application,omitempty"`
}

// Summary counts the reported objects and findings.
type Summary struct {
	Objects  int `json:"objects"`
	Errors   int `json:"errors"`
	Warnings int `json:"warnings"`
	Infos    int `json:"infos"`
}

// Suppressed is a finding that was silenced, with the reason given (policy.Suppressed: one
// declaration for the engine, the reports and the plugin).
type Suppressed = policy.Suppressed

// Object is a linted object and where it came from.
type Object struct {
	Ref  policy.ObjectRef
	File string
	Line int
}

// Tool identifies the program that produced the report.
type Tool struct {
	Name           string
	Version        string
	InformationURI string
}

// New builds a report: findings and suppressed findings are sorted (policy.CompareFindings:
// file, line, object, severity, rule, message) and the summary is computed. Nil slices become empty ones so that the JSON
// form always has arrays.
func New(src Source, objects []Object, findings []policy.Finding, suppressed []Suppressed) *Report {
	r := &Report{
		Version:    Version,
		Source:     src,
		Findings:   slices.Clone(findings),
		Suppressed: slices.Clone(suppressed),
		Objects:    slices.Clone(objects),
		Rules:      map[string]policy.Rule{},
		Tool:       Tool{Name: "wavecheck", InformationURI: "https://github.com/wavecheck/wavecheck"},
	}
	if r.Findings == nil {
		r.Findings = []policy.Finding{}
	}
	if r.Suppressed == nil {
		r.Suppressed = []Suppressed{}
	}
	policy.SortFindings(r.Findings)
	policy.SortSuppressed(r.Suppressed)
	r.summarize()
	return r
}

// SetRules records rule metadata for the writers.
func (r *Report) SetRules(rules []policy.Rule) {
	if r.Rules == nil {
		r.Rules = map[string]policy.Rule{}
	}
	for _, rule := range rules {
		r.Rules[rule.ID] = rule
	}
}

// Filter drops findings (and suppressed findings) less severe than least and recomputes the
// summary. An empty least keeps everything.
func (r *Report) Filter(least policy.Severity) {
	if least == "" {
		return
	}
	keep := func(f policy.Finding) bool { return f.Severity.Rank() >= least.Rank() }
	r.Findings = slices.DeleteFunc(r.Findings, func(f policy.Finding) bool { return !keep(f) })
	r.Suppressed = slices.DeleteFunc(r.Suppressed, func(s Suppressed) bool { return !keep(s.Finding) })
	r.summarize()
}

// Failed reports whether the report should fail a build: any error, or any warning when
// failOnWarn is set.
func (r *Report) Failed(failOnWarn bool) bool {
	return r.Summary.Errors > 0 || (failOnWarn && r.Summary.Warnings > 0)
}

func (r *Report) summarize() {
	s := Summary{Objects: len(r.Objects)}
	for _, f := range r.Findings {
		switch f.Severity {
		case policy.SeverityError:
			s.Errors++
		case policy.SeverityWarning:
			s.Warnings++
		case policy.SeverityInfo:
			s.Infos++
		}
	}
	r.Summary = s
}

// rule returns the metadata of rule id, synthesising a minimal entry for rules without it
// (e.g. conftest-style user rules).
func (r *Report) rule(id string, sev policy.Severity) policy.Rule {
	if rule, ok := r.Rules[id]; ok {
		if rule.Severity == "" {
			rule.Severity = sev
		}
		return rule
	}
	return policy.Rule{ID: id, Severity: sev}
}

// Writer renders a report in one format.
type Writer interface {
	// Format is the name the writer is selected by (e.g. "sarif").
	Format() string
	// Write renders r to w.
	Write(w io.Writer, r *Report) error
}

// Options tune the writers that support them.
type Options struct {
	// Color enables ANSI colours in the text format.
	Color bool
}

// Formats lists the supported output formats; the first is the default.
func Formats() []string { return []string{"text", "json", "sarif", "junit", "github"} }

// NewWriter returns the writer for a format name (case-insensitive).
func NewWriter(format string, o Options) (Writer, error) {
	switch strings.ToLower(strings.TrimSpace(format)) {
	case "", "text":
		return &Text{Color: o.Color}, nil
	case "json":
		return JSON{}, nil
	case "sarif":
		return SARIF{}, nil
	case "junit":
		return JUnit{}, nil
	case "github":
		return GitHub{}, nil
	}
	return nil, fmt.Errorf("select output: unknown format %q (want %s)", format, strings.Join(Formats(), ", "))
}

// location is "file:line", "file" or "" for a finding or object.
func location(file string, line int) string {
	switch {
	case file != "" && line > 0:
		return fmt.Sprintf("%s:%d", policy.Printable(file), line)
	case file != "":
		return policy.Printable(file)
	}
	return ""
}

// objectLabel is "Kind/name" plus the namespace when set: "Job/migrate (ns: app)".
func objectLabel(ref policy.ObjectRef) string {
	s := ref.String()
	if ref.Namespace != "" {
		s += " (ns: " + ref.Namespace + ")"
	}
	return policy.Printable(s)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

// summaryLine is the one-line summary shared by the text, JUnit and GitHub writers.
func summaryLine(r *Report) string {
	s := r.Summary
	parts := []string{
		plural(s.Objects, "object", "objects"),
		plural(s.Errors, "error", "errors"),
		plural(s.Warnings, "warning", "warnings"),
		plural(s.Infos, "info", "infos"),
	}
	line := strings.Join(parts, ", ")
	if n := len(r.Suppressed); n > 0 {
		line += ", " + plural(n, "suppressed", "suppressed")
	}
	return line
}
