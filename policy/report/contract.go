package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/wavecheck/wavecheck/policy"
)

// CheckJSONContract checks that b is one JSON report in the stable contract (version 1): the
// exact keys and value types of the report, its findings and objects, known severities, and a
// summary that matches the findings. Consumers and tests use it to catch a drifting format.
func CheckJSONContract(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return fmt.Errorf("check report: decode: %w", err)
	}
	if dec.More() {
		return fmt.Errorf("check report: more than one JSON document")
	}
	if err := keys("report", doc, []string{"version", "source", "findings", "summary"}, []string{"suppressed"}); err != nil {
		return err
	}
	if v, err := integer("version", doc["version"]); err != nil {
		return err
	} else if v != Version {
		return fmt.Errorf("check report: version %d, want %d", v, Version)
	}
	src, ok := doc["source"].(map[string]any)
	if !ok {
		return fmt.Errorf("check report: source is %T, want object", doc["source"])
	}
	// source.application names the Argo CD Application of a --application report.
	if err := keys("source", src, []string{"path", "type"}, []string{"application"}); err != nil {
		return err
	}
	if err := strs("source", src, "path", "type"); err != nil {
		return err
	}
	if _, ok := src["application"]; ok {
		if err := strs("source", src, "application"); err != nil {
			return err
		}
	}
	findings, ok := doc["findings"].([]any)
	if !ok {
		return fmt.Errorf("check report: findings is %T, want array", doc["findings"])
	}
	var counts [4]int
	for i, f := range findings {
		sev, err := checkFinding(fmt.Sprintf("findings[%d]", i), f, nil)
		if err != nil {
			return err
		}
		counts[sev.Rank()]++
	}
	if s, ok := doc["suppressed"]; ok {
		list, ok := s.([]any)
		if !ok {
			return fmt.Errorf("check report: suppressed is %T, want array", s)
		}
		for i, f := range list {
			if _, err := checkFinding(fmt.Sprintf("suppressed[%d]", i), f, []string{"by", "reason"}); err != nil {
				return err
			}
		}
	}
	sum, ok := doc["summary"].(map[string]any)
	if !ok {
		return fmt.Errorf("check report: summary is %T, want object", doc["summary"])
	}
	if err := keys("summary", sum, []string{"objects", "errors", "warnings", "infos"}, nil); err != nil {
		return err
	}
	for key, want := range map[string]int{"errors": counts[3], "warnings": counts[2], "infos": counts[1], "objects": -1} {
		n, err := integer("summary."+key, sum[key])
		if err != nil {
			return err
		}
		if n < 0 || (want >= 0 && n != want) {
			return fmt.Errorf("check report: summary.%s is %d, findings say %d", key, n, want)
		}
	}
	return nil
}

func checkFinding(where string, v any, extra []string) (policy.Severity, error) {
	f, ok := v.(map[string]any)
	if !ok {
		return "", fmt.Errorf("check report: %s is %T, want object", where, v)
	}
	if err := keys(where, f, append([]string{"rule", "severity", "message", "hint", "object", "file", "line"}, extra...), nil); err != nil {
		return "", err
	}
	if err := strs(where, f, append([]string{"rule", "severity", "message", "hint", "file"}, extra...)...); err != nil {
		return "", err
	}
	if f["rule"] == "" {
		return "", fmt.Errorf("check report: %s.rule is empty", where)
	}
	sev := policy.Severity(f["severity"].(string))
	if sev.Rank() == 0 {
		return "", fmt.Errorf("check report: %s.severity %q is not error, warning or info", where, sev)
	}
	if n, err := integer(where+".line", f["line"]); err != nil {
		return "", err
	} else if n < 0 {
		return "", fmt.Errorf("check report: %s.line is negative", where)
	}
	obj, ok := f["object"].(map[string]any)
	if !ok {
		return "", fmt.Errorf("check report: %s.object is %T, want object", where, f["object"])
	}
	objKeys := []string{"apiVersion", "kind", "namespace", "name", "generateName"}
	if err := keys(where+".object", obj, objKeys, nil); err != nil {
		return "", err
	}
	return sev, strs(where+".object", obj, objKeys...)
}

// keys checks that m has every required key, and no key outside required and optional.
func keys(where string, m map[string]any, required, optional []string) error {
	for _, k := range required {
		if _, ok := m[k]; !ok {
			return fmt.Errorf("check report: %s lacks %q", where, k)
		}
	}
	var unknown []string
	for k := range m {
		if !slices.Contains(required, k) && !slices.Contains(optional, k) {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return fmt.Errorf("check report: %s has unknown keys %s", where, strings.Join(unknown, ", "))
	}
	return nil
}

func strs(where string, m map[string]any, names ...string) error {
	for _, k := range names {
		if _, ok := m[k].(string); !ok {
			return fmt.Errorf("check report: %s.%s is %T, want string", where, k, m[k])
		}
	}
	return nil
}

func integer(where string, v any) (int, error) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, fmt.Errorf("check report: %s is %T, want integer", where, v)
	}
	i, err := n.Int64()
	if err != nil {
		return 0, fmt.Errorf("check report: %s is %s, want integer", where, n)
	}
	return int(i), nil
}
