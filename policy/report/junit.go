package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/wavecheck/wavecheck/policy"
)

// JUnit writes a JUnit XML report with one test suite and one test case per object: an object
// with errors or warnings is a failed test case (one <failure> listing every finding), infos and
// suppressed findings go to <system-out>.
type JUnit struct{}

// Format implements Writer.
func (JUnit) Format() string { return "junit" }

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Properties []junitProperty `xml:"properties>property,omitempty"`
	Cases      []junitCase     `xml:"testcase"`
	SystemOut  string          `xml:"system-out,omitempty"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	File      string        `xml:"file,attr,omitempty"`
	Line      int           `xml:"line,attr,omitempty"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// Write implements Writer.
func (JUnit) Write(w io.Writer, r *Report) error {
	return writeJUnit(w, []junitSuite{junitSuiteFor(r)})
}

// WriteAll implements MultiWriter: one test suite per app.
func (JUnit) WriteAll(w io.Writer, rs []*Report) error {
	suites := make([]junitSuite, 0, len(rs))
	for _, r := range rs {
		suites = append(suites, junitSuiteFor(r))
	}
	return writeJUnit(w, suites)
}

func writeJUnit(w io.Writer, suites []junitSuite) error {
	doc := junitSuites{Name: "wavecheck", Suites: suites}
	for _, s := range suites {
		doc.Tests += s.Tests
		doc.Failures += s.Failures
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("write junit: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// junitSuiteFor is the test suite of one app's report.
func junitSuiteFor(r *Report) junitSuite {
	type tc struct {
		obj        Object
		findings   []policy.Finding
		suppressed []Suppressed
	}
	var cases []*tc
	byRef := map[policy.ObjectRef][]*tc{}
	// add returns the test case of an object, matched by reference and file (any file when the
	// finding has none), creating it when the object is not known yet.
	add := func(o Object) *tc {
		for _, c := range byRef[o.Ref] {
			if o.File == "" || c.obj.File == o.File {
				return c
			}
		}
		c := &tc{obj: o}
		byRef[o.Ref] = append(byRef[o.Ref], c)
		cases = append(cases, c)
		return c
	}
	for _, o := range r.Objects {
		add(o)
	}
	for _, f := range r.Findings {
		c := add(Object{Ref: f.Object, File: f.File, Line: f.Line})
		c.findings = append(c.findings, f)
	}
	for _, s := range r.Suppressed {
		c := add(Object{Ref: s.Object, File: s.File, Line: s.Line})
		c.suppressed = append(c.suppressed, s)
	}

	suite := junitSuite{
		Name: "wavecheck " + cmpOrDot(r.Source.Path),
		Properties: []junitProperty{
			{Name: "source.path", Value: r.Source.Path},
			{Name: "source.type", Value: r.Source.Type},
		},
		SystemOut: summaryLine(r),
	}
	for _, c := range cases {
		jc := junitCase{
			Name:      objectLabel(c.obj.Ref),
			Classname: cmpOrDot(c.obj.File),
			File:      c.obj.File,
			Line:      c.obj.Line,
		}
		var failing []policy.Finding
		var out []string
		worst := policy.Severity("")
		for _, f := range c.findings {
			line := fmt.Sprintf("%s [%s] %s", f.Severity, f.Rule, f.Message)
			if f.Hint != "" {
				line += "\n  fix: " + f.Hint
			}
			if loc := location(f.File, f.Line); loc != "" {
				line += "\n  at " + loc
			}
			if f.Severity.Rank() >= policy.SeverityWarning.Rank() {
				failing = append(failing, f)
				if f.Severity.Rank() > worst.Rank() {
					worst = f.Severity
				}
				continue
			}
			out = append(out, line)
		}
		for _, s := range c.suppressed {
			out = append(out, fmt.Sprintf("suppressed [%s] %s: %s", s.Rule, s.Message, s.Reason))
		}
		if len(failing) > 0 {
			var ids, body []string
			for _, f := range failing {
				ids = append(ids, f.Rule)
				b := fmt.Sprintf("%s [%s] %s", f.Severity, f.Rule, f.Message)
				if f.Hint != "" {
					b += "\n  fix: " + f.Hint
				}
				if loc := location(f.File, f.Line); loc != "" {
					b += "\n  at " + loc
				}
				body = append(body, b)
			}
			jc.Failure = &junitFailure{
				Message: fmt.Sprintf("%s: %s", plural(len(failing), "problem", "problems"), strings.Join(ids, ", ")),
				Type:    string(worst),
				Text:    strings.Join(body, "\n"),
			}
			suite.Failures++
		}
		jc.SystemOut = strings.Join(out, "\n")
		suite.Cases = append(suite.Cases, jc)
	}
	suite.Tests = len(suite.Cases)
	return suite
}

func cmpOrDot(s string) string {
	if s == "" {
		return "."
	}
	return s
}
