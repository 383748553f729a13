package policy

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/wavecheck/wavecheck/internal/argocd"
	"github.com/wavecheck/wavecheck/internal/manifest"
)

// Suppressed is a finding that was not reported, and why. It is the one declaration used by
// the engine, the reports and the plugin.
type Suppressed struct {
	Finding
	// By is "annotation" (wavecheck.io/ignore), "ignore" (Options.Ignore) or "exception"
	// (a conftest exception rule).
	By string `json:"by"`
	// Reason is the wavecheck.io/ignore-reason annotation, or a description of By.
	Reason string `json:"reason"`
}

// hit is a finding and the index of its object.
type hit struct {
	Finding
	obj int
}

// newFinding builds a finding from a rule's metadata and the value a rule returned: a string
// (the message) or an object with msg and optional rule/id, severity, hint, title, link.
func newFinding(rule Rule, v any, o manifest.Object) (Finding, error) {
	f := Finding{Rule: rule.ID, Severity: rule.Severity, Hint: rule.Hint, Object: refOf(o), File: o.Source.File, Line: o.Source.Line}
	switch val := v.(type) {
	case string:
		f.Message = val
	case map[string]any:
		msg, ok := val["msg"].(string)
		if !ok {
			return Finding{}, fmt.Errorf("rule %s: result has no string msg field: %v", rule.ID, val)
		}
		f.Message = msg
		if s, ok := val["rule"].(string); ok && s != "" {
			f.Rule = s
		} else if s, ok := val["id"].(string); ok && s != "" {
			f.Rule = s
		}
		if s, ok := val["severity"].(string); ok {
			sev, err := ParseSeverity(s)
			if err != nil {
				return Finding{}, fmt.Errorf("rule %s: %w", rule.ID, err)
			}
			f.Severity = sev
		}
		if s, ok := val["hint"].(string); ok {
			f.Hint = s
		}
	default:
		return Finding{}, fmt.Errorf("rule %s: result %v is neither a string nor an object with msg", rule.ID, v)
	}
	return f, nil
}

func refOf(o manifest.Object) ObjectRef {
	return ObjectRef{APIVersion: o.APIVersion(), Kind: o.Kind(), Namespace: o.Namespace(), Name: o.Name(), GenerateName: o.GenerateName()}
}

// suppression reports whether a finding is suppressed by the ignore list or the object's
// wavecheck.io/ignore annotation (unless Options.NoIgnoreAnnotation).
func (e *Linter) suppression(f Finding, o manifest.Object) (Suppressed, bool) {
	if e.ignore[f.Rule] {
		return Suppressed{Finding: f, By: "ignore", Reason: "rule ignored by configuration"}, true
	}
	if e.opts.NoIgnoreAnnotation {
		return Suppressed{}, false
	}
	ann := o.Annotations()
	list, _ := ann[AnnotationIgnore].(string)
	for _, id := range argocd.CSV(list) {
		if id == f.Rule || id == "*" || id == "all" {
			reason, _ := ann[AnnotationIgnoreReason].(string)
			if reason == "" {
				reason = "ignored by the " + AnnotationIgnore + " annotation"
			}
			return Suppressed{Finding: f, By: "annotation", Reason: reason}, true
		}
	}
	return Suppressed{}, false
}

// CompareFindings is the one order of findings everywhere (engine results, reports, the
// plugin's messages): file, line, object (kind, namespace, name, generateName, apiVersion), most
// severe first, rule, message.
func CompareFindings(a, b Finding) int {
	return cmp.Or(
		cmp.Compare(a.File, b.File),
		cmp.Compare(a.Line, b.Line),
		compareRefs(a.Object, b.Object),
		cmp.Compare(b.Severity.Rank(), a.Severity.Rank()),
		cmp.Compare(a.Rule, b.Rule),
		cmp.Compare(a.Message, b.Message),
	)
}

func compareRefs(a, b ObjectRef) int {
	return cmp.Or(
		cmp.Compare(a.Kind, b.Kind),
		cmp.Compare(a.Namespace, b.Namespace),
		cmp.Compare(a.Name, b.Name),
		cmp.Compare(a.GenerateName, b.GenerateName),
		cmp.Compare(a.APIVersion, b.APIVersion),
	)
}

// SortFindings sorts findings in CompareFindings order (stable).
func SortFindings(fs []Finding) {
	slices.SortStableFunc(fs, CompareFindings)
}

// SortSuppressed sorts suppressed findings in CompareFindings order (stable).
func SortSuppressed(ss []Suppressed) {
	slices.SortStableFunc(ss, func(a, b Suppressed) int { return CompareFindings(a.Finding, b.Finding) })
}
