package output

import (
	"strings"
	"unicode/utf8"
)

// table aligns its rows in columns across the whole table: unlike a tabwriter, whose columns
// restart at every line without a tab, headings between rows (a phase, a wave) do not shift
// the columns. Trailing blanks are trimmed.
type table struct {
	lines []tableLine
}

type tableLine struct {
	text   string   // a heading, written as is (when cells is nil)
	indent string   // before the first cell
	cells  []string // aligned cells
}

// heading adds a line written as is.
func (t *table) heading(s string) { t.lines = append(t.lines, tableLine{text: s}) }

// row adds a row of cells after indent.
func (t *table) row(indent string, cells ...string) {
	t.lines = append(t.lines, tableLine{indent: indent, cells: cells})
}

// String renders the table, one line each, columns two spaces apart.
func (t *table) String() string {
	var widths []int
	for _, l := range t.lines {
		for i, c := range l.cells {
			if i == len(widths) {
				widths = append(widths, 0)
			}
			// the indent counts toward the first column, so rows of different indents align
			w := utf8.RuneCountInString(c)
			if i == 0 {
				w += utf8.RuneCountInString(l.indent)
			}
			widths[i] = max(widths[i], w)
		}
	}
	var b strings.Builder
	for _, l := range t.lines {
		if l.cells == nil {
			b.WriteString(l.text)
			b.WriteByte('\n')
			continue
		}
		var line strings.Builder
		line.WriteString(l.indent)
		for i, c := range l.cells {
			line.WriteString(c)
			if i == len(l.cells)-1 {
				break
			}
			pad := widths[i] - utf8.RuneCountInString(c) + 2
			if i == 0 {
				pad -= utf8.RuneCountInString(l.indent)
			}
			line.WriteString(strings.Repeat(" ", pad))
		}
		b.WriteString(strings.TrimRight(line.String(), " "))
		b.WriteByte('\n')
	}
	return b.String()
}
