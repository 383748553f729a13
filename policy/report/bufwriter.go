package report

import (
	"bufio"
	"fmt"
	"io"
)

// bufWriter is a bufio.Writer with printf and println for the line-oriented writers.
// bufio.Writer keeps the first write error and turns later writes into no-ops, so the results
// of these writes are deliberately not checked one by one: Flush returns that first error.
type bufWriter struct{ *bufio.Writer }

func newBufWriter(w io.Writer) bufWriter { return bufWriter{bufio.NewWriter(w)} }

func (b bufWriter) printf(format string, a ...any) {
	_, _ = fmt.Fprintf(b.Writer, format, a...) // sticky: returned by Flush
}

// println writes s and a newline.
func (b bufWriter) println(s string) {
	_, _ = b.WriteString(s) // sticky: returned by Flush
	_ = b.WriteByte('\n')
}
