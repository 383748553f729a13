// Package policy evaluates OPA Rego policies (the built-in wave/hook rule pack and user
// policies) over rendered Argo CD application objects and returns findings.
package policy

import (
	"fmt"
	"strings"
)

// Severity of a finding.
type Severity string

// Severities, from most to least severe.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
	SeverityInfo    Severity = "info"
)

// Rank orders severities: error 3, warning 2, info 1, unknown 0.
func (s Severity) Rank() int {
	switch s {
	case SeverityError:
		return 3
	case SeverityWarning:
		return 2
	case SeverityInfo:
		return 1
	}
	return 0
}

// ParseSeverityOverrides reads severity overrides written rule=severity (each item may also
// be a comma-separated list of them), e.g. application-wave-health=error.
func ParseSeverityOverrides(items []string) (map[string]Severity, error) {
	var out map[string]Severity
	for _, item := range items {
		for _, kv := range strings.Split(item, ",") {
			kv = strings.TrimSpace(kv)
			if kv == "" {
				continue
			}
			id, level, ok := strings.Cut(kv, "=")
			id, level = strings.TrimSpace(id), strings.TrimSpace(level)
			if !ok || id == "" {
				return nil, fmt.Errorf("severity override %q: write rule=severity, e.g. application-wave-health=error", kv)
			}
			sev, err := ParseSeverity(level)
			if err != nil {
				return nil, fmt.Errorf("severity override %q: %w", kv, err)
			}
			if out == nil {
				out = map[string]Severity{}
			}
			out[id] = sev
		}
	}
	return out, nil
}

// ParseSeverity accepts error, warning (or warn) and info, in any case.
func ParseSeverity(s string) (Severity, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "error", "deny", "violation":
		return SeverityError, nil
	case "warning", "warn":
		return SeverityWarning, nil
	case "info":
		return SeverityInfo, nil
	}
	return "", fmt.Errorf("parse severity: unknown severity %q (want error, warning or info)", s)
}

// ObjectRef identifies the object a finding is about.
type ObjectRef struct {
	APIVersion   string `json:"apiVersion"`
	Kind         string `json:"kind"`
	Namespace    string `json:"namespace"`
	Name         string `json:"name"`
	GenerateName string `json:"generateName"`
}

// String is "Kind/name" (or "Kind/generateName*").
func (r ObjectRef) String() string {
	name := r.Name
	if name == "" && r.GenerateName != "" {
		name = r.GenerateName + "*"
	}
	return r.Kind + "/" + name
}

// Finding is one rule result on one object. Its JSON form is part of the stable report
// contract (see docs/policy.md).
type Finding struct {
	Rule     string    `json:"rule"`
	Severity Severity  `json:"severity"`
	Message  string    `json:"message"`
	Hint     string    `json:"hint"`
	Object   ObjectRef `json:"object"`
	File     string    `json:"file"`
	Line     int       `json:"line"`
}

// Rule is a rule's metadata, from the built-in pack or a user policy's METADATA annotations.
type Rule struct {
	ID          string   `json:"id"`
	Severity    Severity `json:"severity"`
	Title       string   `json:"title"`
	Description string   `json:"description"`
	Hint        string   `json:"hint"`
	Link        string   `json:"link"`
}
