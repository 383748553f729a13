package policy

import (
	"strconv"
	"strings"
	"unicode"
)

// Printable escapes, in text that came from a repository (object names, messages built from
// them, file names), every character that could forge or hide report lines: control
// characters (newlines, carriage returns, the ESC of terminal sequences) and the Unicode
// line separators and bidirectional overrides, as strconv.Quote writes them (\n, \x1b,
// \u202e). Other text is unchanged.
func Printable(s string) string {
	if strings.IndexFunc(s, unsafeRune) < 0 {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if unsafeRune(r) {
			q := strconv.QuoteRuneToASCII(r)
			b.WriteString(q[1 : len(q)-1])
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func unsafeRune(r rune) bool {
	return unicode.IsControl(r) || r == '\u2028' || r == '\u2029' ||
		(r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069')
}
