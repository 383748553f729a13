// Package astcodec stores parsed Rego modules in a compact binary form and rebuilds them
// without the parser.
//
// The built-in rule pack is parsed when wavecheck is built instead of in every process:
// parsing lib and the rules an app keeps was a third of a small app's first generation
// (OPA's parser saves its whole state at every choice point and allocates a Location per
// term; every byte a short process allocates is a fresh page, which costs on a busy node).
// Decode builds the same ast.Module the parser returns (TestRoundTrip compares every node and
// every location), with its terms, locations and strings allocated in a few blocks.
//
// What Decode cannot rebuild: the parser-only fields ast.Rule.generatedBody,
// ast.Head.generatedValue and ast.Head.keywords, unexported and read only by OPA's Rego v1
// syntax checks (ast.CheckRegoV1) and its formatter, never by the compiler or the evaluator
// (ast.Module.Copy, which ast.Compiler.Compile applies to every module, drops keywords);
// and comments, which only annotations and the formatter read. Encode refuses a module with
// annotations, and any node kind it does not know, so that a new construct in a rule fails
// the build's test instead of being dropped.
package astcodec

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/open-policy-agent/opa/v1/ast"
)

// magic starts every encoding; the last byte is the format version.
const magic = "wcast\x02"

// Value kinds.
const (
	kNil byte = iota // an absent optional term
	kNull
	kFalse
	kTrue
	kNumber
	kString
	kVar
	kRef
	kArray
	kSet
	kObject
	kCall
	kArrayCompr
	kSetCompr
	kObjectCompr
)

// Expression kinds (ast.Expr.Terms).
const (
	eTerm byte = iota
	eCall
	eSome
	eEvery
)

// File is one parsed module and the source it was parsed from.
type File struct {
	Name   string
	Source []byte
	Module *ast.Module
}

// Encode writes the modules, in order, into one encoding.
func Encode(files []File) ([]byte, error) {
	out := []byte(magic)
	out = appendUint(out, len(files))
	for _, f := range files {
		payload, err := encodeModule(f)
		if err != nil {
			return nil, fmt.Errorf("encode %s: %w", f.Name, err)
		}
		out = appendString(out, f.Name)
		sum := sha256.Sum256(f.Source)
		out = append(out, sum[:]...)
		out = appendUint(out, len(payload))
		out = append(out, payload...)
	}
	return out, nil
}

type encoder struct {
	src     []byte
	body    []byte
	strings map[string]int
	strs    []string
	locs    map[*ast.Location]int
	locList []*ast.Location
	terms   int   // every *ast.Term written
	slots   int   // every element of a Ref, Call, Array, Set, Args or symbol list written
	err     error // the first node Encode cannot write; what follows it is not written
}

func (e *encoder) fail(format string, args ...any) {
	if e.err == nil {
		e.err = fmt.Errorf(format, args...)
	}
}

func encodeModule(f File) ([]byte, error) {
	e := &encoder{src: f.Source, strings: map[string]int{}, locs: map[*ast.Location]int{}}
	m := f.Module
	switch {
	case len(m.Annotations) > 0:
		return nil, fmt.Errorf("module has annotations: parse it without ProcessAnnotation")
	case m.Package == nil:
		return nil, fmt.Errorf("module has no package")
	}
	span := m.RegoVersionSpan()
	e.byte(byte(span.Min()))
	e.byte(byte(span.Max()))
	e.loc(m.Package.Location)
	e.termList(m.Package.Path)
	e.uint(len(m.Imports))
	for _, imp := range m.Imports {
		e.loc(imp.Location)
		e.loc(imp.AliasLocation)
		e.str(string(imp.Alias))
		e.term(imp.Path)
	}
	e.uint(len(m.Rules))
	for _, r := range m.Rules {
		e.rule(r)
	}
	// The locations first: they add their file names to the string table.
	locs := appendUint(nil, len(e.locList))
	for _, l := range e.locList {
		locs = e.appendLoc(locs, l)
	}
	if e.err != nil {
		return nil, e.err
	}
	out := appendUint(nil, len(e.strs))
	for _, s := range e.strs {
		out = appendString(out, s)
	}
	out = append(out, locs...)
	out = appendUint(out, e.terms)
	out = appendUint(out, e.slots)
	return append(out, e.body...), nil
}

func (e *encoder) rule(r *ast.Rule) {
	switch {
	case e.err != nil:
		return
	case len(r.Annotations) > 0:
		e.fail("rule has annotations")
		return
	case r.Head == nil:
		e.fail("rule without head")
		return
	}
	e.loc(r.Location)
	e.bool(r.Default)
	h := r.Head
	e.loc(h.Location)
	e.str(string(h.Name))
	e.termList(h.Reference)
	e.termList(h.Args)
	e.term(h.Key)
	e.term(h.Value)
	e.bool(h.Assign)
	e.bodyOf(r.Body)
	e.bool(r.Else != nil)
	if r.Else != nil {
		e.rule(r.Else)
	}
}

func (e *encoder) bodyOf(b ast.Body) {
	if b == nil {
		e.uint(0)
		return
	}
	e.uint(len(b) + 1)
	for _, x := range b {
		e.expr(x)
	}
}

func (e *encoder) expr(x *ast.Expr) {
	if x.Index < 0 {
		e.fail("expression with a negative index")
		return
	}
	e.loc(x.Location)
	e.uint(x.Index)
	e.bool(x.Generated)
	e.bool(x.Negated)
	e.uint(len(x.With))
	for _, w := range x.With {
		e.loc(w.Location)
		e.term(w.Target)
		e.term(w.Value)
	}
	switch t := x.Terms.(type) {
	case *ast.Term:
		e.byte(eTerm)
		e.term(t)
	case []*ast.Term:
		e.byte(eCall)
		e.termList(t)
	case *ast.SomeDecl:
		e.byte(eSome)
		e.loc(t.Location)
		e.termList(t.Symbols)
	case *ast.Every:
		e.byte(eEvery)
		e.loc(t.Location)
		e.term(t.Key)
		e.term(t.Value)
		e.term(t.Domain)
		e.bodyOf(t.Body)
	default:
		e.fail("expression of unknown kind %T", x.Terms)
	}
}

// termList writes a list of terms: 0 for nil, else 1 + its length (the parser leaves some
// lists nil and some empty, and a decoded module must do the same).
func (e *encoder) termList(ts []*ast.Term) {
	if ts == nil {
		e.uint(0)
		return
	}
	e.uint(len(ts) + 1)
	e.slots += len(ts)
	for _, t := range ts {
		if t == nil {
			e.fail("nil term in a list")
			return
		}
		e.term(t)
	}
}

func (e *encoder) term(t *ast.Term) {
	if t == nil {
		e.byte(kNil)
		return
	}
	e.terms++
	switch v := t.Value.(type) {
	case ast.Null:
		e.byte(kNull)
	case ast.Boolean:
		if v {
			e.byte(kTrue)
		} else {
			e.byte(kFalse)
		}
	case ast.Number:
		e.byte(kNumber)
		e.str(string(v))
	case ast.String:
		e.byte(kString)
		e.str(string(v))
	case ast.Var:
		e.byte(kVar)
		e.str(string(v))
	case ast.Ref:
		e.byte(kRef)
		e.termList(v)
	case *ast.Array:
		e.byte(kArray)
		e.elements(v.Len(), v.Foreach)
	case ast.Set:
		e.byte(kSet)
		e.elements(v.Len(), v.Foreach) // in insertion order, as parsed
	case ast.Object:
		e.byte(kObject)
		e.uint(v.Len())
		v.Foreach(func(k, x *ast.Term) {
			e.term(k)
			e.term(x)
		})
	case ast.Call:
		e.byte(kCall)
		e.termList(v)
	case *ast.ArrayComprehension:
		e.byte(kArrayCompr)
		e.term(v.Term)
		e.bodyOf(v.Body)
	case *ast.SetComprehension:
		e.byte(kSetCompr)
		e.term(v.Term)
		e.bodyOf(v.Body)
	case *ast.ObjectComprehension:
		e.byte(kObjectCompr)
		e.term(v.Key)
		e.term(v.Value)
		e.bodyOf(v.Body)
	default:
		e.fail("term of unknown kind %T (%v)", t.Value, t)
	}
	e.loc(t.Location)
}

// elements writes the terms of an array or a set: an empty one as nil, as the parser builds
// it (ast.NewArray with no terms).
func (e *encoder) elements(n int, each func(func(*ast.Term))) {
	var ts []*ast.Term
	if n > 0 {
		ts = make([]*ast.Term, 0, n)
		each(func(x *ast.Term) { ts = append(ts, x) })
	}
	e.termList(ts)
}

func (e *encoder) byte(b byte) { e.body = append(e.body, b) }

func (e *encoder) uint(n int) { e.body = appendUint(e.body, n) }

func (e *encoder) bool(b bool) {
	if b {
		e.byte(1)
	} else {
		e.byte(0)
	}
}

// str writes a string as its index in the module's string table.
func (e *encoder) str(s string) { e.uint(e.strIndex(s)) }

func (e *encoder) strIndex(s string) int {
	i, ok := e.strings[s]
	if !ok {
		i = len(e.strs)
		e.strings[s] = i
		e.strs = append(e.strs, s)
	}
	return i
}

// loc writes a location as 0 (none) or 1 + its index in the module's location table; nodes
// sharing a location share it after decoding too.
func (e *encoder) loc(l *ast.Location) {
	if l == nil {
		e.uint(0)
		return
	}
	i, ok := e.locs[l]
	if !ok {
		i = len(e.locList)
		e.locs[l] = i
		e.locList = append(e.locList, l)
	}
	e.uint(i + 1)
}

// Location text modes.
const (
	textSource  byte = iota // Text is Source[Offset:Offset+n]
	textLiteral             // Text is written out
	textNil                 // Text is nil
)

func (e *encoder) appendLoc(out []byte, l *ast.Location) []byte {
	if l.Row < 0 || l.Col < 0 || l.Offset < 0 || slices.ContainsFunc(l.Tabs, func(t int) bool { return t < 0 }) {
		e.fail("location %v with a negative position", l)
		return out
	}
	out = appendUint(out, e.strIndex(l.File))
	out = appendUint(out, l.Row)
	out = appendUint(out, l.Col)
	out = appendUint(out, l.Offset)
	end := l.Offset + len(l.Text)
	switch {
	case l.Text == nil:
		out = append(out, textNil)
	case end <= len(e.src) && bytes.Equal(e.src[l.Offset:end], l.Text):
		out = append(out, textSource)
		out = appendUint(out, len(l.Text))
	default:
		out = append(out, textLiteral)
		out = appendString(out, string(l.Text))
	}
	out = appendUint(out, len(l.Tabs))
	for _, t := range l.Tabs {
		out = appendUint(out, t)
	}
	return out
}

func appendString(out []byte, s string) []byte {
	out = appendUint(out, len(s))
	return append(out, s...)
}

// appendUint appends a length, an index or a position, which the callers check are not
// negative (expr, appendLoc).
func appendUint(out []byte, n int) []byte {
	return binary.AppendUvarint(out, uint64(n)) //nolint:gosec // n >= 0: a length, an index or a checked position
}
