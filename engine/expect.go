package engine

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"
)

// Expectation is what `replay --expect FILE` asserts: the final phase and, per phase and wave
// (consecutive steps), the steps in order as "Kind/name" for applies and "ACTION Kind/name" for
// update, prune and delete.
type Expectation struct {
	Phase string     `json:"phase"`
	Waves []WaveStep `json:"waves"`

	// file and json are where the expectation was read from and whether it is JSON (Check
	// renders its diff in the file's own format)
	file string
	json bool
}

// WaveStep is the steps of one phase and wave.
type WaveStep struct {
	Phase string   `json:"phase"`
	Wave  int      `json:"wave"`
	Steps []string `json:"steps"`
}

// ExpectationOf returns the expectation a report satisfies.
func ExpectationOf(rep *Report) *Expectation {
	e := &Expectation{Phase: rep.Phase, Waves: []WaveStep{}}
	for _, g := range rep.Groups() {
		ws := WaveStep{Phase: g.Phase, Wave: g.Wave}
		for _, s := range g.Steps {
			ref := s.Ref()
			if s.Action != "apply" {
				ref = s.Action + " " + ref
			}
			ws.Steps = append(ws.Steps, ref)
		}
		e.Waves = append(e.Waves, ws)
	}
	return e
}

// ParseExpectation reads an expectation file (YAML or JSON).
func ParseExpectation(data []byte, file string) (*Expectation, error) {
	var e Expectation
	if err := yaml.UnmarshalStrict(data, &e); err != nil {
		return nil, fmt.Errorf("parse expectation %s: %w", file, err)
	}
	if e.Phase == "" {
		return nil, fmt.Errorf("parse expectation %s: phase is required", file)
	}
	if e.Waves == nil {
		e.Waves = []WaveStep{}
	}
	e.file = file
	e.json = strings.HasPrefix(strings.TrimSpace(string(data)), "{")
	return &e, nil
}

// Check returns, when the report does not match, a unified diff of the expectation (---) and
// the report's (+++), both rendered in the expectation file's format (YAML, or indented JSON
// for a JSON file); "" when it matches.
func (e *Expectation) Check(rep *Report) string {
	got := ExpectationOf(rep)
	if e.Phase == got.Phase && cmp.Equal(e.Waves, got.Waves) {
		return ""
	}
	render := func(x *Expectation) string {
		if e.json {
			data, err := json.MarshalIndent(x, "", "  ")
			if err != nil {
				return fmt.Sprintf("%+v", *x)
			}
			return string(data) + "\n"
		}
		data, err := x.Marshal()
		if err != nil {
			return fmt.Sprintf("%+v", *x)
		}
		return string(data)
	}
	name := e.file
	if name == "" {
		name = "expected"
	}
	return unifiedDiff(name+" (expected)", "replay (actual)", render(e), render(got))
}

// Marshal renders the expectation as YAML.
func (e *Expectation) Marshal() ([]byte, error) {
	out, err := yaml.Marshal(e)
	if err != nil {
		return nil, fmt.Errorf("marshal expectation: %w", err)
	}
	return out, nil
}
