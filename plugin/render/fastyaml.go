package render

import (
	"bytes"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v2"
)

// Most manifests, and everything Helm, kustomize and render.Write print, use a small part of
// YAML: block mappings and sequences, one-line scalars, comments. fastYAML decodes documents
// made only of that part several times faster than go-yaml, with the values unmarshalYAML
// gives (TestFastYAMLMatchesGoYAML, FuzzFastYAML), and reports ok=false for anything else:
// the caller then decodes the document with go-yaml, which also gives the errors. Scalar
// resolution follows go-yaml v2 (YAML 1.1: yes/no/on/off are booleans); scalars whose type is
// not obvious from their first character (numbers, timestamps, escapes) are resolved by go-yaml
// itself.

// fastLine is one line holding content: its indentation and the text after it.
type fastLine struct {
	indent int
	text   string
}

type fastParser struct {
	lines []fastLine
	pos   int
}

// fastYAML decodes one YAML document whose top level is a block mapping.
func fastYAML(data []byte) (map[string]any, bool) {
	lines, ok := fastLines(data)
	if !ok || len(lines) == 0 || lines[0].indent != 0 {
		return nil, false
	}
	p := &fastParser{lines: lines}
	m, ok := p.mapping(0)
	if !ok || p.pos != len(p.lines) {
		return nil, false
	}
	return m, true
}

// fastLines splits data into content lines, dropping blank and comment lines. Anything
// outside printable ASCII, tabs, carriage returns and document markers refuse the fast path.
func fastLines(data []byte) ([]fastLine, bool) {
	for _, c := range data {
		if (c < 0x20 && c != '\n') || c >= 0x7f {
			return nil, false
		}
	}
	lines := make([]fastLine, 0, bytes.Count(data, []byte{'\n'})+1)
	for len(data) > 0 {
		var line []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			line, data = data, nil
		}
		indent := 0
		for indent < len(line) && line[indent] == ' ' {
			indent++
		}
		text := line[indent:]
		if len(text) == 0 || text[0] == '#' {
			continue
		}
		if indent == 0 && (bytes.HasPrefix(text, []byte("---")) || bytes.HasPrefix(text, []byte("...")) || text[0] == '%') {
			return nil, false
		}
		lines = append(lines, fastLine{indent: indent, text: string(text)})
	}
	return lines, true
}

// mapping reads the entries of a block mapping whose keys sit at column indent.
func (p *fastParser) mapping(indent int) (map[string]any, bool) {
	m := map[string]any{}
	for p.pos < len(p.lines) {
		l := p.lines[p.pos]
		if l.indent < indent {
			break
		}
		if l.indent > indent || isSeqEntry(l.text) {
			return nil, false
		}
		key, rest, ok := splitKey(l.text)
		if !ok {
			return nil, false
		}
		if _, dup := m[key]; dup {
			return nil, false
		}
		p.pos++
		if rest == "" {
			v, ok := p.nested(indent, true)
			if !ok {
				return nil, false
			}
			m[key] = v
			continue
		}
		v, ok := scalar(rest)
		if !ok || p.deeper(indent) {
			return nil, false // a multi-line scalar, or content under a scalar
		}
		m[key] = v
	}
	return m, true
}

// sequence reads the entries of a block sequence whose dashes sit at column indent.
func (p *fastParser) sequence(indent int) ([]any, bool) {
	s := []any{}
	for p.pos < len(p.lines) {
		l := p.lines[p.pos]
		if l.indent < indent {
			break
		}
		if l.indent > indent {
			return nil, false
		}
		if !isSeqEntry(l.text) {
			break // the next key of the mapping holding this sequence at its column
		}
		rest := strings.TrimLeft(l.text[1:], " ")
		switch {
		case rest == "":
			p.pos++
			v, ok := p.nested(indent, false)
			if !ok {
				return nil, false
			}
			s = append(s, v)
		case isSeqEntry(rest) || rest[0] == '#':
			return nil, false
		case isMappingEntry(rest):
			// "- key: value": a mapping whose keys sit at the column of key. Read this line
			// again as its first entry.
			col := l.indent + len(l.text) - len(rest)
			p.lines[p.pos] = fastLine{indent: col, text: rest}
			m, ok := p.mapping(col)
			if !ok {
				return nil, false
			}
			s = append(s, m)
		default:
			p.pos++
			v, ok := scalar(stripComment(rest))
			if !ok || p.deeper(indent) {
				return nil, false
			}
			s = append(s, v)
		}
	}
	return s, true
}

// nested reads the block under a key (inMapping) or a dash at column indent: a mapping or a
// sequence indented further, a sequence at the same column under a key, or nothing (null).
func (p *fastParser) nested(indent int, inMapping bool) (any, bool) {
	if p.pos == len(p.lines) {
		return nil, true
	}
	l := p.lines[p.pos]
	switch {
	case l.indent > indent && isSeqEntry(l.text):
		return p.sequence(l.indent)
	case l.indent > indent:
		return p.mapping(l.indent)
	case l.indent == indent && inMapping && isSeqEntry(l.text):
		return p.sequence(indent)
	}
	return nil, true
}

// deeper reports whether the next line is indented past indent.
func (p *fastParser) deeper(indent int) bool {
	return p.pos < len(p.lines) && p.lines[p.pos].indent > indent
}

func isSeqEntry(s string) bool { return s == "-" || strings.HasPrefix(s, "- ") }

// isMappingEntry reports whether s starts with a key followed by ": " or a final ":".
func isMappingEntry(s string) bool {
	_, _, ok := splitKey(s)
	return ok
}

// maxSimpleKey is a safe bound under YAML's limit on implicit keys (1024 characters up to the
// colon); go-yaml refuses longer ones.
const maxSimpleKey = 1000

// splitKey splits "key: rest" (rest without its comment). Only plain keys that go-yaml
// resolves to strings and quoted keys without escapes are accepted.
func splitKey(s string) (key, rest string, ok bool) {
	var after string
	switch s[0] {
	case '"', '\'':
		end := quoteEnd(s)
		if end < 0 || strings.IndexByte(s[:end], '\\') >= 0 {
			return "", "", false
		}
		key, after = unquote(s[:end+1]), s[end+1:]
		if !strings.HasPrefix(after, ":") {
			return "", "", false
		}
		after = after[1:]
	default:
		i := strings.Index(s, ": ")
		if i < 0 {
			if !strings.HasSuffix(s, ":") {
				return "", "", false
			}
			i = len(s) - 1
		}
		key, after = s[:i], s[i+1:]
		if key == "" || key[len(key)-1] == ' ' || strings.Contains(key, " #") || !plainString(key) {
			return "", "", false
		}
	}
	if (after != "" && after[0] != ' ') || len(s)-len(after) > maxSimpleKey {
		return "", "", false
	}
	return key, stripComment(strings.TrimLeft(after, " ")), true
}

// stripComment removes a trailing " # comment" and the spaces before it from a plain value;
// a quoted value keeps its text (scalar checks what follows the quote).
func stripComment(s string) string {
	if s == "" || s[0] == '#' {
		return ""
	}
	if s[0] != '"' && s[0] != '\'' {
		if i := strings.Index(s, " #"); i >= 0 {
			s = s[:i]
		}
	}
	return strings.TrimRight(s, " ")
}

// quoteEnd returns the index of the quote closing the quoted scalar s starts with, or -1.
func quoteEnd(s string) int {
	q := s[0]
	for i := 1; i < len(s); i++ {
		switch {
		case q == '"' && s[i] == '\\':
			i++
		case s[i] == q && q == '\'' && i+1 < len(s) && s[i+1] == '\'':
			i++
		case s[i] == q:
			return i
		}
	}
	return -1
}

// unquote returns the value of a quoted scalar without escapes.
func unquote(s string) string {
	if s[0] == '\'' {
		return strings.ReplaceAll(s[1:len(s)-1], "''", "'")
	}
	return s[1 : len(s)-1]
}

// plainString reports whether go-yaml reads the plain scalar s as that string: it starts with
// none of YAML's indicators, and its first character does not hint at another type (or it is
// not one of the YAML 1.1 words: yes, off, null...).
func plainString(s string) bool {
	switch s[0] {
	case '-', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`',
		'+', '.', '~', '<', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return false
	}
	if _, special := yamlWords[s]; special {
		return false
	}
	return true
}

// yamlWords are the plain scalars go-yaml v2 resolves to booleans or null by name.
var yamlWords = map[string]any{
	"y": true, "Y": true, "yes": true, "Yes": true, "YES": true,
	"true": true, "True": true, "TRUE": true, "on": true, "On": true, "ON": true,
	"n": false, "N": false, "no": false, "No": false, "NO": false,
	"false": false, "False": false, "FALSE": false, "off": false, "Off": false, "OFF": false,
	"null": nil, "Null": nil, "NULL": nil,
}

// scalar decodes a one-line value: a quoted or plain scalar, {} or [].
func scalar(s string) (any, bool) {
	switch s[0] {
	case '"', '\'':
		end := quoteEnd(s)
		if end < 0 {
			return nil, false // continues on the next line
		}
		if tail := strings.TrimLeft(s[end+1:], " "); tail != "" && (tail[0] != '#' || tail == s[end+1:]) {
			return nil, false
		}
		if strings.IndexByte(s[:end], '\\') >= 0 {
			return goYAMLScalar(s[:end+1])
		}
		return unquote(s[:end+1]), true
	case '{':
		if s == "{}" {
			return map[string]any{}, true
		}
		return nil, false
	case '[':
		return flowSequence(s)
	}
	if strings.Contains(s, ": ") || strings.HasSuffix(s, ":") {
		return nil, false
	}
	if v, special := yamlWords[s]; special {
		return v, true
	}
	if plainString(s) {
		return s, true
	}
	if n, ok := decimal(s); ok {
		return n, true
	}
	switch s[0] {
	case '?', ':', ',', ']', '}', '#', '&', '*', '!', '|', '>', '%', '@', '`', '<':
		return nil, false
	case '-':
		if s == "-" {
			return nil, false
		}
	}
	return goYAMLScalar(s)
}

// decimal parses the integers go-yaml and JSON agree on without help: no sign other than a
// leading minus, no leading zero, no underscore, within int64.
func decimal(s string) (int64, bool) {
	d := s
	if d[0] == '-' {
		d = d[1:]
	}
	if d == "" || len(d) > 18 || (d[0] == '0' && len(d) > 1) {
		return 0, false
	}
	for i := 0; i < len(d); i++ {
		if d[i] < '0' || d[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// goYAMLScalar resolves one scalar with go-yaml, as a document of its own (so not one that
// starts like a document marker).
func goYAMLScalar(s string) (any, bool) {
	if strings.HasPrefix(s, "---") || strings.HasPrefix(s, "...") {
		return nil, false
	}
	var v any
	if err := yaml.Unmarshal([]byte(s), &v); err != nil {
		return nil, false
	}
	switch v.(type) {
	case map[any]any, []any:
		return nil, false
	}
	out, err := jsonValue(v)
	if err != nil {
		return nil, false
	}
	return out, true
}

// flowSequence decodes a one-line flow sequence of scalars, like command: ["sh", "-c", "x"]:
// quoted items, and plain items made of letters, digits and "_./=-" only (no flow indicator,
// colon, space or comment can hide in them). Anything else refuses the fast path.
func flowSequence(s string) (any, bool) {
	out := []any{}
	rest := strings.TrimLeft(s[1:], " ")
	if rest == "" {
		return nil, false
	}
	if rest[0] == ']' {
		return out, flowEnd(rest[1:])
	}
	for {
		var item string
		switch rest[0] {
		case '"', '\'':
			end := quoteEnd(rest)
			if end < 0 {
				return nil, false
			}
			item, rest = rest[:end+1], rest[end+1:]
		default:
			n := 0
			for n < len(rest) && flowPlainByte(rest[n]) {
				n++
			}
			if n == 0 {
				return nil, false
			}
			item, rest = rest[:n], rest[n:]
		}
		v, ok := scalar(item)
		if !ok {
			return nil, false
		}
		out = append(out, v)
		rest = strings.TrimLeft(rest, " ")
		switch {
		case strings.HasPrefix(rest, ","):
			rest = strings.TrimLeft(rest[1:], " ")
			if rest == "" || rest[0] == ']' || rest[0] == ',' {
				return nil, false
			}
		case strings.HasPrefix(rest, "]"):
			return out, flowEnd(rest[1:])
		default:
			return nil, false
		}
	}
}

// flowEnd reports whether what follows a flow sequence's "]" is nothing or a comment.
func flowEnd(tail string) bool {
	t := strings.TrimLeft(tail, " ")
	return t == "" || (t[0] == '#' && t != tail)
}

func flowPlainByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '_' || c == '.' || c == '/' || c == '=' || c == '-'
}
