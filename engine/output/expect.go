package output

import (
	"fmt"
	"io"

	"github.com/wavecheck/wavecheck/engine"
)

// Expect writes the expectation the report satisfies (an --expect file for this run).
type Expect struct{}

// Format implements Writer.
func (Expect) Format() string { return "expect" }

// Write implements Writer.
func (Expect) Write(w io.Writer, rep *engine.Report) error {
	data, err := engine.ExpectationOf(rep).Marshal()
	if err != nil {
		return err //nolint:wrapcheck // already says what failed
	}
	if _, err := w.Write(data); err != nil {
		return fmt.Errorf("write expectation: %w", err)
	}
	return nil
}
