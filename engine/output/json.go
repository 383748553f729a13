package output

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/wavecheck/wavecheck/engine"
)

// JSON writes the report's JSON contract (indented, one trailing newline).
type JSON struct{}

// Format implements Writer.
func (JSON) Format() string { return "json" }

// Write implements Writer.
func (JSON) Write(w io.Writer, rep *engine.Report) error {
	return writeJSON(w, rep, "report")
}

// PlanJSON writes the plan as indented JSON.
type PlanJSON struct{}

// Format implements PlanWriter.
func (PlanJSON) Format() string { return "json" }

// Write implements PlanWriter.
func (PlanJSON) Write(w io.Writer, p *engine.PlanResult) error {
	return writeJSON(w, p, "plan")
}

func writeJSON(w io.Writer, v any, what string) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("write json %s: %w", what, err)
	}
	return nil
}
