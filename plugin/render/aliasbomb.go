package render

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	yamlv3 "go.yaml.in/yaml/v3"
)

// YAML aliases let a small file stand for a huge value: each alias repeats its anchored node,
// so nested aliases multiply ("billion laughs"), and even one level of aliases to one large
// string multiplies the file's size. Counting aliases is not enough (a 105 KB file of aliases
// to one string expands to 114 MB with 3 levels), so every YAML input is measured by the
// size it expands to, on the parse tree where aliases are still pointers: linear in the file.

// maxNestedYAMLDepth bounds how deep YAML held in string values (a kustomization's inline
// patches) is measured in turn.
const maxNestedYAMLDepth = 2

// ErrAliasBomb marks a YAML input that expands past the size limit through aliases.
var ErrAliasBomb = errors.New("YAML aliases expand past the size limit")

// mayHaveAliases is the cheap test run on every input: an alias is a '*' and the anchor it
// names a '&', each starting a node (after a line start, a space or a flow indicator, and
// followed by the name), so input without both has nothing to expand.
func mayHaveAliases(data []byte) bool {
	return hasNodeProperty(data, '*') && hasNodeProperty(data, '&')
}

func hasNodeProperty(data []byte, c byte) bool {
	for i := 0; ; {
		j := bytes.IndexByte(data[i:], c)
		if j < 0 {
			return false
		}
		i += j
		if (i == 0 || strings.IndexByte(" \t\r\n[{,:-?", data[i-1]) >= 0) && i+1 < len(data) && strings.IndexByte(" \t\r\n,]}", data[i+1]) < 0 {
			return true
		}
		i++
	}
}

// checkAliasExpansion refuses data when its YAML documents, with every alias expanded, would
// exceed limit bytes. YAML held in string values (inline patches) is measured too. Input the
// YAML 1.2 parser cannot read passes: it is not YAML to the readers that use that parser
// (kustomize's kyaml), and the YAML 1.1 readers are bounded after decoding (checkValueSize).
func checkAliasExpansion(data []byte, limit int64) error {
	return checkAliasExpansionDepth(data, limit, 0)
}

func checkAliasExpansionDepth(data []byte, limit int64, depth int) error {
	if !mayHaveAliases(data) {
		return nil
	}
	dec := yamlv3.NewDecoder(bytes.NewReader(data))
	var total int64
	for {
		var n yamlv3.Node
		if err := dec.Decode(&n); err != nil {
			// io.EOF ends the stream; a parse error is left to the reader that parses it.
			return nil
		}
		m := &aliasMeter{limit: limit, memo: map[*yamlv3.Node]int64{}, active: map[*yamlv3.Node]bool{}}
		total += m.size(&n)
		if total > limit {
			return fmt.Errorf("%w: the aliases expand to more than %d bytes (the per-file limit): refusing a possible alias bomb", ErrAliasBomb, limit)
		}
		if depth < maxNestedYAMLDepth {
			for _, s := range m.nested {
				if err := checkAliasExpansionDepth([]byte(s), limit, depth+1); err != nil {
					return err
				}
			}
		}
	}
}

// aliasMeter measures the expanded size of a node tree: each node once (memo), each alias by
// the size of its anchor, saturating just past the limit.
type aliasMeter struct {
	limit  int64
	memo   map[*yamlv3.Node]int64
	active map[*yamlv3.Node]bool
	// nested are string values that may hold YAML with aliases themselves.
	nested []string
}

func (m *aliasMeter) size(n *yamlv3.Node) int64 {
	if n == nil {
		return 0
	}
	if s, ok := m.memo[n]; ok {
		return s
	}
	if m.active[n] {
		// An alias inside its own anchor: the parser refuses these, count nothing.
		return 0
	}
	m.active[n] = true
	defer delete(m.active, n)
	var s int64
	switch n.Kind {
	case yamlv3.AliasNode:
		s = m.size(n.Alias)
	case yamlv3.ScalarNode:
		s = int64(len(n.Value)) + 1
		if n.ShortTag() == "!!str" && strings.Contains(n.Value, "\n") && mayHaveAliases([]byte(n.Value)) {
			m.nested = append(m.nested, n.Value)
		}
	default:
		s = 2
		for _, c := range n.Content {
			s += m.size(c)
			if s > m.limit {
				s = m.limit + 1
				break
			}
		}
	}
	if s > m.limit {
		s = m.limit + 1
	}
	m.memo[n] = s
	return s
}

// checkValueSize bounds a value decoded by the YAML 1.1 parser (go-yaml v2 shares the bytes of
// aliased strings, so decoding is cheap, but writing the value out is not): it fails when the
// value would take more than limit bytes written out.
func checkValueSize(v any, limit int64) error {
	if valueSize(v, limit) > limit {
		return fmt.Errorf("%w: the decoded value is larger than %d bytes (the per-file limit): refusing a possible alias bomb", ErrAliasBomb, limit)
	}
	return nil
}

func valueSize(v any, limit int64) int64 {
	var s int64
	switch t := v.(type) {
	case map[string]any:
		s = 2
		for k, x := range t {
			s += int64(len(k)) + 1 + valueSize(x, limit)
			if s > limit {
				return limit + 1
			}
		}
	case map[any]any:
		s = 2
		for k, x := range t {
			s += valueSize(k, limit) + valueSize(x, limit)
			if s > limit {
				return limit + 1
			}
		}
	case []any:
		s = 2
		for _, x := range t {
			s += valueSize(x, limit) + 1
			if s > limit {
				return limit + 1
			}
		}
	case string:
		s = int64(len(t)) + 2
	default:
		s = 8
	}
	return s
}
