package report

import (
	"encoding/json"
	"io"
)

// JSON writes the report in its stable JSON contract, indented, one document.
type JSON struct{}

// Format implements Writer.
func (JSON) Format() string { return "json" }

// Write implements Writer.
func (JSON) Write(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}
