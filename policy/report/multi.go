package report

import (
	"encoding/json"
	"fmt"
	"io"
)

// MultiWriter writes one report across several apps (validate with several inputs). Every
// writer of this package implements it.
type MultiWriter interface {
	WriteAll(w io.Writer, rs []*Report) error
}

// WriteAll writes the reports of one run: a single report exactly as Writer.Write writes it
// (the formats stay what they were for one app), several through the writer's WriteAll.
func WriteAll(wr Writer, w io.Writer, rs []*Report) error {
	switch len(rs) {
	case 0:
		return fmt.Errorf("write report: no report")
	case 1:
		return wr.Write(w, rs[0])
	}
	mw, ok := wr.(MultiWriter)
	if !ok {
		return fmt.Errorf("write report: the %s format cannot hold several apps", wr.Format())
	}
	return mw.WriteAll(w, rs)
}

// Total sums the summaries of several reports.
func Total(rs []*Report) Summary {
	var s Summary
	for _, r := range rs {
		s.Objects += r.Summary.Objects
		s.Errors += r.Summary.Errors
		s.Warnings += r.Summary.Warnings
		s.Infos += r.Summary.Infos
	}
	return s
}

// AnyFailed reports whether any report fails the build (Report.Failed).
func AnyFailed(rs []*Report, failOnWarn bool) bool {
	for _, r := range rs {
		if r.Failed(failOnWarn) {
			return true
		}
	}
	return false
}

// totalReport is a report carrying only the summed summary and suppressed count, for the
// summary lines.
func totalReport(rs []*Report) *Report {
	t := &Report{Summary: Total(rs)}
	for _, r := range rs {
		t.Suppressed = append(t.Suppressed, r.Suppressed...)
	}
	return t
}

// WriteAll implements MultiWriter: each app under a "== path (Type)" header with its own
// summary line, then the total over every app.
func (t *Text) WriteAll(w io.Writer, rs []*Report) error {
	bw := newBufWriter(w)
	for _, r := range rs {
		bw.println(t.paint(ansiBold, fmt.Sprintf("== %s (%s)", cmpOrDot(r.Source.Path), r.Source.Type)))
		t.body(bw, r)
		bw.println(t.summary(r, summaryLine(r)))
		bw.println("")
	}
	tot := totalReport(rs)
	bw.println(t.summary(tot, fmt.Sprintf("total: %s, %s", plural(len(rs), "app", "apps"), summaryLine(tot))))
	return bw.Flush()
}

// WriteAll implements MultiWriter: every app's annotations, then one summary line over all.
func (GitHub) WriteAll(w io.Writer, rs []*Report) error {
	bw := newBufWriter(w)
	for _, r := range rs {
		githubAnnotations(bw, r)
	}
	bw.printf("wavecheck: %s, %s\n", plural(len(rs), "app", "apps"), summaryLine(totalReport(rs)))
	return bw.Flush()
}

// Multi is the JSON form of several apps' reports:
//
//	{"version":1,"apps":[<report>...],"summary":{"objects","errors","warnings","infos"}}
//
// each element of apps in the one-app contract (CheckJSONContract), the summary their sum.
type Multi struct {
	Version int       `json:"version"`
	Apps    []*Report `json:"apps"`
	Summary Summary   `json:"summary"`
}

// WriteAll implements MultiWriter (Multi).
func (JSON) WriteAll(w io.Writer, rs []*Report) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(Multi{Version: Version, Apps: rs, Summary: Total(rs)})
}

// CheckMultiJSONContract checks that b is one JSON document of several apps (Multi): exactly
// the keys version, apps and summary, every app a report in the one-app contract, and a
// summary that is the sum of the apps' summaries.
func CheckMultiJSONContract(b []byte) error {
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(b, &doc); err != nil {
		return fmt.Errorf("check report: decode: %w", err)
	}
	for _, k := range []string{"version", "apps", "summary"} {
		if _, ok := doc[k]; !ok {
			return fmt.Errorf("check report: missing key %q", k)
		}
	}
	if len(doc) != 3 {
		return fmt.Errorf("check report: %d keys, want version, apps and summary", len(doc))
	}
	var v int
	if err := json.Unmarshal(doc["version"], &v); err != nil || v != Version {
		return fmt.Errorf("check report: version %s, want %d", doc["version"], Version)
	}
	var apps []json.RawMessage
	if err := json.Unmarshal(doc["apps"], &apps); err != nil {
		return fmt.Errorf("check report: apps: %w", err)
	}
	var sum Summary
	for i, a := range apps {
		if err := CheckJSONContract(a); err != nil {
			return fmt.Errorf("app %d: %w", i, err)
		}
		var r struct{ Summary Summary }
		if err := json.Unmarshal(a, &r); err != nil {
			return fmt.Errorf("check report: app %d: %w", i, err)
		}
		sum.Objects += r.Summary.Objects
		sum.Errors += r.Summary.Errors
		sum.Warnings += r.Summary.Warnings
		sum.Infos += r.Summary.Infos
	}
	var got Summary
	if err := json.Unmarshal(doc["summary"], &got); err != nil {
		return fmt.Errorf("check report: summary: %w", err)
	}
	if got != sum {
		return fmt.Errorf("check report: summary %+v is not the sum of the apps' %+v", got, sum)
	}
	return nil
}
