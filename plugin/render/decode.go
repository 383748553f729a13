package render

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"sigs.k8s.io/yaml"
)

// maxAliases bounds YAML alias use per document: legitimate manifests use a handful, a
// "billion laughs" document needs many to expand exponentially.
const maxAliases = 1000

// maxDocJSON bounds the size of one document after alias expansion.
const maxDocJSON = 32 << 20

// document is one YAML document of a stream with the line it starts on.
type document struct {
	data []byte
	line int // 1-based line of the first content line
	idx  int // 0-based index among the stream's documents (empty ones included)
}

// splitDocuments splits a YAML stream on "---" lines the way Kubernetes' YAML reader does
// (Argo CD's kube.SplitYAML), keeping the starting line of every document.
func splitDocuments(data []byte) ([]document, error) {
	var docs []document
	var cur bytes.Buffer
	start, lineNo, idx := 0, 0, 0
	flush := func() {
		if isBlankYAML(cur.Bytes()) {
			cur.Reset()
			idx++
			return
		}
		docs = append(docs, document{data: append([]byte(nil), cur.Bytes()...), line: start, idx: idx})
		cur.Reset()
		idx++
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), len(data)+1)
	for sc.Scan() {
		lineNo++
		line := sc.Bytes()
		if bytes.HasPrefix(line, []byte("---")) {
			rest := strings.TrimSpace(string(line[3:]))
			if rest == "" || rest[0] == '#' {
				flush()
				start = 0
				continue
			}
		}
		if start == 0 {
			t := strings.TrimSpace(string(line))
			if t != "" && !strings.HasPrefix(t, "#") {
				start = lineNo
			}
		}
		cur.Write(line)
		cur.WriteByte('\n')
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("split YAML documents: %w", err)
	}
	flush()
	return docs, nil
}

// isBlankYAML reports whether a document holds only whitespace and comments.
func isBlankYAML(b []byte) bool {
	for _, l := range bytes.Split(b, []byte("\n")) {
		t := bytes.TrimSpace(l)
		if len(t) > 0 && t[0] != '#' {
			return false
		}
	}
	return true
}

var yamlLineRE = regexp.MustCompile(`line (\d+): `)

// decodeStream decodes a YAML (or JSON) stream into objects. file names the source in errors
// and in every object's Source; withLines records line numbers (plain YAML only). A document
// that is not a Kubernetes object is an error naming the file and document.
func decodeStream(data []byte, file string, withLines bool) ([]Object, error) {
	docs, err := splitDocuments(data)
	if err != nil {
		return nil, &Error{File: file, Err: err}
	}
	var out []Object
	for _, d := range docs {
		objs, err := decodeDocument(d, file)
		if err != nil {
			return nil, err
		}
		for _, o := range objs {
			o.Source = Source{File: file, Doc: d.idx}
			if withLines {
				o.Source.Line = d.line
			}
			out = append(out, o)
		}
	}
	return out, nil
}

func decodeDocument(d document, file string) ([]Object, error) {
	fail := func(line int, err error) error {
		return &Error{File: file, Line: line, Err: fmt.Errorf("document %d: %w", d.idx+1, err)}
	}
	if n := countAliases(d.data); n > maxAliases {
		return nil, fail(d.line, fmt.Errorf("too many YAML aliases (%d, limit %d): refusing a possible alias bomb", n, maxAliases))
	}
	j, err := yaml.YAMLToJSON(d.data)
	if err != nil {
		line := d.line
		msg := strings.TrimPrefix(err.Error(), "error converting YAML to JSON: ")
		if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
			if n, _ := strconv.Atoi(m[1]); n > 0 {
				line = firstLine(d) + n - 1
				msg = strings.Replace(msg, m[0], "", 1)
			}
		}
		msg = strings.TrimPrefix(msg, "yaml: ")
		if strings.Contains(msg, "excessive aliasing") {
			msg += " (refusing a possible YAML alias bomb)"
		}
		return nil, fail(line, fmt.Errorf("invalid YAML: %s", msg))
	}
	if len(j) > maxDocJSON {
		return nil, fail(d.line, fmt.Errorf("document expands to %d bytes, over the %d-byte limit", len(j), maxDocJSON))
	}
	v, err := decodeJSON(j)
	if err != nil {
		return nil, fail(d.line, err)
	}
	if v == nil {
		return nil, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fail(d.line, fmt.Errorf("not a Kubernetes object: expected a mapping with apiVersion and kind, got %s", typeName(v)))
	}
	obj := Object{Object: m}
	if obj.APIVersion() == "" || obj.Kind() == "" {
		return nil, fail(d.line, errors.New("not a Kubernetes object: apiVersion and kind must be non-empty strings"))
	}
	if strings.HasSuffix(obj.Kind(), "List") && isList(m) {
		items, _ := m["items"].([]any)
		var out []Object
		for i, it := range items {
			im, ok := it.(map[string]any)
			if !ok {
				return nil, fail(d.line, fmt.Errorf("%s item %d: not a Kubernetes object", obj.Kind(), i))
			}
			io := Object{Object: im}
			if io.APIVersion() == "" || io.Kind() == "" {
				return nil, fail(d.line, fmt.Errorf("%s item %d: apiVersion and kind must be non-empty strings", obj.Kind(), i))
			}
			out = append(out, io)
		}
		return out, nil
	}
	return []Object{obj}, nil
}

// firstLine is the line the document's text starts at in the file (the YAML parser counts
// from the first line of the chunk, which may be a comment before the content line).
func firstLine(d document) int {
	lead := 0
	for _, l := range bytes.Split(d.data, []byte("\n")) {
		t := bytes.TrimSpace(l)
		if len(t) > 0 && t[0] != '#' {
			break
		}
		lead++
	}
	return d.line - lead
}

// isList reports whether m is a list object (kind ...List with an items array), as
// unstructured.Unstructured.IsList does.
func isList(m map[string]any) bool {
	_, ok := m["items"].([]any)
	return ok
}

// countAliases counts YAML alias tokens ("*name") outside quoted scalars and comments.
func countAliases(b []byte) int {
	n := 0
	for _, l := range bytes.Split(b, []byte("\n")) {
		inS, inD := false, false
		for i := 0; i < len(l); i++ {
			c := l[i]
			switch {
			case c == '\'' && !inD:
				inS = !inS
			case c == '"' && !inS:
				inD = !inD
			case c == '#' && !inS && !inD && (i == 0 || l[i-1] == ' ' || l[i-1] == '\t'):
				i = len(l)
			case c == '*' && !inS && !inD && (i == 0 || strings.ContainsRune(" \t[{,:-", rune(l[i-1]))) &&
				i+1 < len(l) && l[i+1] != ' ':
				n++
			}
		}
	}
	return n
}

// decodeJSON decodes JSON keeping integers as int64 (like unstructured.Unstructured).
func decodeJSON(j []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(j))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("decode document: %w", err)
	}
	return convertNumbers(v), nil
}

func convertNumbers(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			t[k] = convertNumbers(x)
		}
		return t
	case []any:
		for i, x := range t {
			t[i] = convertNumbers(x)
		}
		return t
	case json.Number:
		if i, err := t.Int64(); err == nil {
			return i
		}
		if f, err := t.Float64(); err == nil {
			return f
		}
		return t.String()
	}
	return v
}

func typeName(v any) string {
	switch v.(type) {
	case []any:
		return "a list"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case int64, float64:
		return "a number"
	}
	return fmt.Sprintf("%T", v)
}
