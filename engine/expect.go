package engine

import (
	"fmt"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"
)

// Expectation is what `replay --expect FILE` asserts: the final phase and, per phase and wave
// (consecutive steps), the steps in order as "Kind/name" for applies and "ACTION Kind/name" for
// update, prune and delete.
type Expectation struct {
	Phase string     `json:"phase"`
	Waves []WaveStep `json:"waves"`
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
	return &e, nil
}

// Check returns a diff (-expected +actual) when the report does not match, else "".
func (e *Expectation) Check(rep *Report) string {
	return cmp.Diff(e, ExpectationOf(rep))
}

// Marshal renders the expectation as YAML.
func (e *Expectation) Marshal() ([]byte, error) {
	out, err := yaml.Marshal(e)
	if err != nil {
		return nil, fmt.Errorf("marshal expectation: %w", err)
	}
	return out, nil
}
