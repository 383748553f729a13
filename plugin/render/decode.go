package render

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/wavecheck/wavecheck/internal/manifest"
	"github.com/wavecheck/wavecheck/internal/parallel"
	"go.yaml.in/yaml/v2"
)

// maxAliases bounds YAML alias use per document: legitimate manifests use a handful, a
// "billion laughs" document needs many to expand exponentially.
const maxAliases = 1000

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
// and in every object's Source; withLines records line numbers (plain YAML only); limit bounds
// each document's size with its aliases expanded. A document that is not a Kubernetes object
// is an error naming the file and document.
func decodeStream(data []byte, file string, withLines bool, limit int64) ([]manifest.Object, error) {
	docs, err := splitDocuments(data)
	if err != nil {
		return nil, &Error{File: file, Err: err}
	}
	return decodeAll(len(docs), func(i int) ([]manifest.Object, error) {
		return decodeDocument(docs[i], file, limit)
	}, func(i int) manifest.Source {
		src := manifest.Source{File: file, Doc: docs[i].idx}
		if withLines {
			src.Line = docs[i].line
		}
		return src
	})
}

// decodeAll decodes n independent units (documents, resources) on every core and returns their
// objects in unit order, each with the Source src gives for its unit.
func decodeAll(n int, decode func(i int) ([]manifest.Object, error), src func(i int) manifest.Source) ([]manifest.Object, error) {
	decoded := make([][]manifest.Object, n)
	err := parallel.Do(n, func(i int) error {
		var err error
		decoded[i], err = decode(i)
		return err
	})
	if err != nil {
		return nil, err
	}
	var out []manifest.Object
	for i, objs := range decoded {
		for _, o := range objs {
			o.Source = src(i)
			out = append(out, o)
		}
	}
	return out, nil
}

// decodeDocument decodes one document; limit bounds its size with aliases expanded.
func decodeDocument(d document, file string, limit int64) ([]manifest.Object, error) {
	fail := func(line int, err error) error {
		return &Error{File: file, Line: line, Err: fmt.Errorf("document %d: %w", d.idx+1, err)}
	}
	aliases := mayHaveAliases(d.data)
	if aliases {
		if n := countAliases(d.data); n > maxAliases {
			return nil, fail(d.line, fmt.Errorf("too many YAML aliases (%d, limit %d): refusing a possible alias bomb", n, maxAliases))
		}
		if err := checkAliasExpansion(d.data, limit); err != nil {
			return nil, fail(d.line, err)
		}
	}
	var v any
	var err error
	if m, ok := fastYAML(d.data); ok {
		v = m
	} else if v, err = unmarshalYAML(d.data); err == nil && aliases {
		// The YAML 1.2 measure passes what that parser cannot read; bound the value the
		// YAML 1.1 parser made of it.
		err = checkValueSize(v, limit)
	}
	if err != nil {
		line := d.line
		msg := err.Error()
		if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
			if n, _ := strconv.Atoi(m[1]); n > 0 {
				line = firstLine(d) + n - 1
				msg = strings.Replace(msg, m[0], "", 1)
			}
		}
		msg = strings.TrimPrefix(msg, "yaml: ")
		if errors.Is(err, ErrAliasBomb) {
			return nil, fail(d.line, err)
		}
		if strings.Contains(msg, "excessive aliasing") {
			msg += " (refusing a possible YAML alias bomb)"
		}
		return nil, fail(line, fmt.Errorf("invalid YAML: %s", msg))
	}
	if v == nil {
		return nil, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fail(d.line, fmt.Errorf("not a Kubernetes object: expected a mapping with apiVersion and kind, got %s", typeName(v)))
	}
	obj := manifest.Object{Object: m}
	if obj.APIVersion() == "" || obj.Kind() == "" {
		return nil, fail(d.line, errors.New("not a Kubernetes object: apiVersion and kind must be non-empty strings"))
	}
	if strings.HasSuffix(obj.Kind(), "List") && isList(m) {
		items, _ := m["items"].([]any)
		var out []manifest.Object
		for i, it := range items {
			im, ok := it.(map[string]any)
			if !ok {
				return nil, fail(d.line, fmt.Errorf("%s item %d: not a Kubernetes object", obj.Kind(), i))
			}
			io := manifest.Object{Object: im}
			if io.APIVersion() == "" || io.Kind() == "" {
				return nil, fail(d.line, fmt.Errorf("%s item %d: apiVersion and kind must be non-empty strings", obj.Kind(), i))
			}
			out = append(out, io)
		}
		return out, nil
	}
	return []manifest.Object{obj}, nil
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

// unmarshalYAML decodes one YAML document into JSON-compatible values exactly as Argo CD sees
// them: sigs.k8s.io/yaml's YAML 1.1 parser, then the values a YAML -> JSON -> unstructured round
// trip gives (string keys; integers, and floats with an integral value, as int64; other numbers
// as float64; invalid UTF-8 replaced), without building the JSON text.
func unmarshalYAML(data []byte) (any, error) {
	var v any
	if err := yaml.Unmarshal(data, &v); err != nil {
		return nil, err
	}
	return jsonValue(v)
}

// jsonValue converts a value decoded by go-yaml v2 into what encoding/json would give back
// for it after sigs.k8s.io/yaml's YAMLToJSON and a UseNumber decode with int64 conversion.
func jsonValue(v any) (any, error) {
	switch t := v.(type) {
	case map[any]any:
		m := make(map[string]any, len(t))
		for k, x := range t {
			ks, err := jsonKey(k)
			if err != nil {
				return nil, err
			}
			if m[ks], err = jsonValue(x); err != nil {
				return nil, err
			}
		}
		return m, nil
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			var err error
			if out[i], err = jsonValue(x); err != nil {
				return nil, err
			}
		}
		return out, nil
	case string:
		return validUTF8(t), nil
	case int:
		return int64(t), nil
	case int64:
		return t, nil
	case uint64:
		if t <= math.MaxInt64 {
			return int64(t), nil
		}
		return float64(t), nil
	case float64:
		if math.IsInf(t, 0) || math.IsNaN(t) {
			return nil, fmt.Errorf("unsupported value: %v (JSON has no infinity or NaN)", t)
		}
		// encoding/json writes integral floats below 1e21 without exponent; the decoder then
		// reads them back as integers when they fit an int64.
		if t == math.Trunc(t) && math.Abs(t) < 1e21 && t >= math.MinInt64 && t < math.MaxInt64 {
			return int64(t), nil
		}
		return t, nil
	case bool, nil:
		return t, nil
	}
	return nil, fmt.Errorf("unsupported value of type %T", v)
}

// jsonKey turns a YAML map key into the string sigs.k8s.io/yaml uses.
func jsonKey(k any) (string, error) {
	switch t := k.(type) {
	case string:
		return validUTF8(t), nil
	case int:
		return strconv.Itoa(t), nil
	case int64:
		return strconv.FormatInt(t, 10), nil
	case uint64:
		return strconv.FormatUint(t, 10), nil
	case float64:
		s := strconv.FormatFloat(t, 'g', -1, 32)
		switch s {
		case "+Inf":
			s = ".inf"
		case "-Inf":
			s = "-.inf"
		case "NaN":
			s = ".nan"
		}
		return s, nil
	case bool:
		return strconv.FormatBool(t), nil
	}
	return "", fmt.Errorf("unsupported map key of type %T: %v", k, k)
}

// validUTF8 replaces each invalid byte with U+FFFD, as encoding/json does.
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b.WriteString("\uFFFD")
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
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
