package output

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// sticky writes formatted text and keeps the first write error, like bufio.Writer: once a
// write failed, later ones are skipped, and the caller checks err once at the end.
type sticky struct {
	w   io.Writer
	err error
}

func (s *sticky) printf(format string, a ...any) {
	if s.err == nil {
		_, s.err = fmt.Fprintf(s.w, format, a...)
	}
}

// flush flushes tw (the writer s writes to, or one writing to the same destination).
func (s *sticky) flush(tw *tabwriter.Writer) {
	if s.err == nil {
		s.err = tw.Flush()
	}
}
