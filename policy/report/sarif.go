package report

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/url"
	"slices"
	"strings"

	"github.com/wavecheck/wavecheck/policy"
)

// SARIF writes a SARIF 2.1.0 log for GitHub code scanning and other SARIF consumers: one run,
// the rules that produced results as tool.driver.rules, one result per finding located at the
// object's file (relative to the repository root, base id %SRCROOT%) and line, and the
// properties GitHub documents as required (rule full description and help, partial
// fingerprints, region start line). Suppressed
// findings are included with a suppressions entry, so that viewers show them as dismissed.
type SARIF struct{}

// Format implements Writer.
func (SARIF) Format() string { return "sarif" }

// SARIFSchemaURI is the $schema written into every log.
const SARIFSchemaURI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool              sarifTool              `json:"tool"`
	AutomationDetails sarifAutomationDetails `json:"automationDetails"`
	Results           []sarifResult          `json:"results"`
	Properties        map[string]any         `json:"properties,omitempty"`
}

// sarifAutomationDetails.ID is "<category>/": GitHub tracks alerts per category, so each app
// gets its own and uploading one app's results does not close another app's alerts.
type sarifAutomationDetails struct {
	ID string `json:"id"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri,omitempty"`
	Rules          []sarifRule `json:"rules"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifRule struct {
	ID                   string             `json:"id"`
	Name                 string             `json:"name,omitempty"`
	ShortDescription     sarifText          `json:"shortDescription"`
	FullDescription      *sarifText         `json:"fullDescription"`
	Help                 *sarifText         `json:"help"`
	HelpURI              string             `json:"helpUri,omitempty"`
	DefaultConfiguration sarifConfiguration `json:"defaultConfiguration"`
}

type sarifConfiguration struct {
	Level string `json:"level"`
}

type sarifResult struct {
	RuleID              string             `json:"ruleId"`
	RuleIndex           int                `json:"ruleIndex"`
	Level               string             `json:"level"`
	Message             sarifText          `json:"message"`
	Locations           []sarifLocation    `json:"locations"`
	PartialFingerprints map[string]string  `json:"partialFingerprints"`
	Suppressions        []sarifSuppression `json:"suppressions,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical  `json:"physicalLocation"`
	LogicalLocations []sarifLogical `json:"logicalLocations,omitempty"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifactLoc `json:"artifactLocation"`
	Region           *sarifRegion     `json:"region"`
}

type sarifArtifactLoc struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId,omitempty"`
}

type sarifRegion struct {
	StartLine int `json:"startLine"`
}

type sarifLogical struct {
	Name               string `json:"name"`
	FullyQualifiedName string `json:"fullyQualifiedName"`
	Kind               string `json:"kind"`
}

type sarifSuppression struct {
	Kind          string `json:"kind"`
	Justification string `json:"justification,omitempty"`
}

// sarifLevel maps a severity to a SARIF result level.
func sarifLevel(s policy.Severity) string {
	switch s {
	case policy.SeverityError:
		return "error"
	case policy.SeverityWarning:
		return "warning"
	}
	return "note"
}

// Write implements Writer.
func (SARIF) Write(w io.Writer, r *Report) error {
	return writeSARIF(w, []sarifRun{sarifRunFor(r)})
}

// WriteAll implements MultiWriter: one run per app, each with its own automationDetails.id
// (GitHub code scanning keeps each category's alerts apart).
func (SARIF) WriteAll(w io.Writer, rs []*Report) error {
	runs := make([]sarifRun, 0, len(rs))
	for _, r := range rs {
		runs = append(runs, sarifRunFor(r))
	}
	return writeSARIF(w, runs)
}

func writeSARIF(w io.Writer, runs []sarifRun) error {
	log := sarifLog{Schema: SARIFSchemaURI, Version: "2.1.0", Runs: runs}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(log)
}

// automationID identifies a run: "wavecheck/<path>/", and for an Argo CD Application
// "wavecheck/<file>/<application>/" (a file may hold several Applications).
func automationID(s Source) string {
	id := "wavecheck/" + cmp.Or(s.Path, ".") + "/"
	if s.Application != "" {
		id += s.Application + "/"
	}
	return id
}

// sarifRunFor is the run of one app's report.
func sarifRunFor(r *Report) sarifRun {
	run := sarifRun{
		Tool: sarifTool{Driver: sarifDriver{
			Name:           cmp.Or(r.Tool.Name, "wavecheck"),
			Version:        r.Tool.Version,
			InformationURI: r.Tool.InformationURI,
			Rules:          []sarifRule{},
		}},
		AutomationDetails: sarifAutomationDetails{ID: automationID(r.Source)},
		Results:           []sarifResult{},
	}
	index := map[string]int{}
	ruleIndex := func(f policy.Finding) int {
		if i, ok := index[f.Rule]; ok {
			return i
		}
		index[f.Rule] = len(run.Tool.Driver.Rules)
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRuleFor(r.rule(f.Rule, f.Severity)))
		return index[f.Rule]
	}
	// Rules are listed in id order, so register them sorted before building results.
	var ids []policy.Finding
	ids = append(ids, r.Findings...)
	for _, s := range r.Suppressed {
		ids = append(ids, s.Finding)
	}
	slices.SortStableFunc(ids, func(a, b policy.Finding) int { return strings.Compare(a.Rule, b.Rule) })
	for _, f := range ids {
		ruleIndex(f)
	}
	for _, f := range r.Findings {
		run.Results = append(run.Results, sarifResultFor(r, f, ruleIndex(f)))
	}
	for _, s := range r.Suppressed {
		res := sarifResultFor(r, s.Finding, ruleIndex(s.Finding))
		// inSource: the object's own wavecheck.io/ignore annotation; external: --ignore or a
		// policy exception.
		kind := "external"
		if s.By == "annotation" {
			kind = "inSource"
		}
		res.Suppressions = []sarifSuppression{{Kind: kind, Justification: s.Reason}}
		run.Results = append(run.Results, res)
	}
	run.Properties = map[string]any{
		"source":  map[string]any{"path": r.Source.Path, "type": r.Source.Type},
		"objects": r.Summary.Objects,
	}
	return run
}

func sarifRuleFor(rule policy.Rule) sarifRule {
	sr := sarifRule{
		ID:                   rule.ID,
		ShortDescription:     sarifText{Text: cmp.Or(rule.Title, rule.ID)},
		HelpURI:              validURI(rule.Link),
		DefaultConfiguration: sarifConfiguration{Level: sarifLevel(rule.Severity)},
	}
	// GitHub requires fullDescription.text and help.text on every rule.
	sr.FullDescription = &sarifText{Text: cmp.Or(rule.Description, sr.ShortDescription.Text)}
	help := []string{sr.FullDescription.Text}
	if rule.Hint != "" {
		help = append(help, "Fix: "+rule.Hint)
	}
	if rule.Link != "" {
		help = append(help, "See "+rule.Link)
	}
	sr.Help = &sarifText{Text: strings.Join(help, "\n\n")}
	return sr
}

func sarifResultFor(r *Report, f policy.Finding, idx int) sarifResult {
	msg := f.Object.String() + ": " + f.Message
	if f.Hint != "" {
		msg += "\nFix: " + f.Hint
	}
	file := f.File
	if file == "" {
		// Results need a location to show up in code scanning: fall back to the app itself.
		file = r.Source.Path
	}
	// GitHub requires region.startLine: when the line is unknown (e.g. a Helm template) the
	// result points at the top of the file.
	phys := sarifPhysical{
		ArtifactLocation: sarifArtifactLoc{URI: fileURI(file), URIBaseID: "%SRCROOT%"},
		Region:           &sarifRegion{StartLine: max(f.Line, 1)},
	}
	fq := f.Object.Kind + "/" + cmp.Or(f.Object.Name, f.Object.GenerateName+"*")
	if f.Object.Namespace != "" {
		fq = f.Object.Namespace + "/" + fq
	}
	return sarifResult{
		RuleID:    f.Rule,
		RuleIndex: idx,
		Level:     sarifLevel(f.Severity),
		Message:   sarifText{Text: msg},
		Locations: []sarifLocation{{
			PhysicalLocation: phys,
			LogicalLocations: []sarifLogical{{Name: f.Object.String(), FullyQualifiedName: fq, Kind: "object"}},
		}},
		// Stable across line moves: the rule, the object and the file identify a result.
		PartialFingerprints: map[string]string{"wavecheckFinding/v1": fingerprint(f.Rule, fq, f.Object.APIVersion, file, f.Message)},
	}
}

func fingerprint(parts ...string) string {
	h := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(h[:16])
}

// fileURI turns a slash-separated relative path into a relative URI reference, escaping what
// needs escaping (spaces, '#', '%', a ':' in the first segment).
func fileURI(p string) string {
	u := url.URL{Path: p}
	return u.String()
}

// validURI returns s when it is an absolute URI, otherwise "".
func validURI(s string) string {
	u, err := url.Parse(s)
	if err != nil || !u.IsAbs() {
		return ""
	}
	return s
}
