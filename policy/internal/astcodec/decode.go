package astcodec

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
)

// Pack is an encoding opened for decoding its modules one at a time.
type Pack struct {
	payloads map[string]string
	sums     map[string]string // SHA-256 of the source each module was encoded from
}

// ErrStale is Decode's error for a module the encoding does not hold, or holds encoded from
// another source.
var ErrStale = errors.New("not encoded from this source")

// Open reads an encoding's list of modules. The encoding is a string so that the decoded
// strings (names, variables, file names) are substrings of it instead of copies.
func Open(enc string) (*Pack, error) {
	if !strings.HasPrefix(enc, magic) {
		return nil, errors.New("not a wavecheck AST encoding of this version")
	}
	d := &decoder{b: enc, pos: len(magic)}
	n := d.count()
	p := &Pack{payloads: make(map[string]string, n), sums: make(map[string]string, n)}
	for range n {
		name := d.rawString()
		if d.err == nil && len(d.b)-d.pos < sha256.Size {
			d.fail("truncated checksum")
		}
		if d.err == nil {
			p.sums[name] = d.b[d.pos : d.pos+sha256.Size]
			d.pos += sha256.Size
		}
		size := d.count()
		if d.err != nil {
			break
		}
		p.payloads[name] = d.b[d.pos : d.pos+size]
		d.pos += size
	}
	if d.err == nil && d.pos != len(d.b) {
		d.fail("trailing bytes")
	}
	if d.err != nil {
		return nil, d.err
	}
	return p, nil
}

// Has reports whether the pack holds the named module.
func (p *Pack) Has(name string) bool {
	_, ok := p.payloads[name]
	return ok
}

// Decode rebuilds the named module. src must be the source it was encoded from (else the
// error is ErrStale): locations' Text are slices of it, as the parser's are.
func (p *Pack) Decode(name string, src []byte) (*ast.Module, error) {
	payload, ok := p.payloads[name]
	if !ok {
		return nil, fmt.Errorf("decode %s: no such module: %w", name, ErrStale)
	}
	if sum := sha256.Sum256(src); string(sum[:]) != p.sums[name] {
		return nil, fmt.Errorf("decode %s: %w", name, ErrStale)
	}
	d := &decoder{b: payload, src: src}
	m := d.module()
	if d.err == nil && d.pos != len(d.b) {
		d.fail("trailing bytes")
	}
	if d.err != nil {
		return nil, fmt.Errorf("decode %s: %w", name, d.err)
	}
	return m, nil
}

// decoder reads one module. A malformed input sets err, after which every read returns a
// zero value: nothing panics and nothing reads past the input.
type decoder struct {
	b   string
	pos int
	err error
	src []byte

	strs    []string
	strVals []ast.Value // ast.String of strs[i], boxed once
	varVals []ast.Value // ast.Var of strs[i], boxed once
	locs    []ast.Location
	terms   []ast.Term  // every term of the module, allocated as one block
	slots   []*ast.Term // every element of a term list, allocated as one block
}

func (d *decoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("malformed encoding at byte %d: %s", d.pos, fmt.Sprintf(format, args...))
	}
}

func (d *decoder) uvarint() uint64 {
	var x uint64
	for shift := uint(0); ; shift += 7 {
		if d.err != nil {
			return 0
		}
		if d.pos >= len(d.b) || shift > 63 {
			d.fail("truncated number")
			return 0
		}
		c := d.b[d.pos]
		d.pos++
		x |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return x
		}
	}
}

// count reads a length, which cannot exceed what is left of the input: every element takes
// at least one byte (this bounds what a malformed input makes the decoder allocate).
func (d *decoder) count() int {
	n := d.uvarint()
	if left := len(d.b) - d.pos; n > uint64(left) { //nolint:gosec // left >= 0: pos never passes the end
		d.fail("count %d past the end", n)
		return 0
	}
	return int(n) //nolint:gosec // n <= left, an int
}

// list reads the length of a list written as 0 for nil, else 1 + its length; -1 is nil.
func (d *decoder) list() int {
	n := d.count()
	if n == 0 || d.err != nil {
		return -1
	}
	return n - 1
}

func (d *decoder) byte() byte {
	if d.err != nil {
		return 0
	}
	if d.pos >= len(d.b) {
		d.fail("truncated")
		return 0
	}
	c := d.b[d.pos]
	d.pos++
	return c
}

func (d *decoder) bool() bool { return d.byte() != 0 }

func (d *decoder) rawString() string {
	n := d.count()
	if d.err != nil {
		return ""
	}
	s := d.b[d.pos : d.pos+n]
	d.pos += n
	return s
}

func (d *decoder) strIndex() int {
	i := d.uvarint()
	if i >= uint64(len(d.strs)) {
		d.fail("string %d of %d", i, len(d.strs))
		return -1
	}
	return int(i) //nolint:gosec // i < len(d.strs), an int
}

func (d *decoder) str() string {
	if i := d.strIndex(); i >= 0 {
		return d.strs[i]
	}
	return ""
}

func (d *decoder) loc() *ast.Location {
	i := d.uvarint()
	switch {
	case i == 0:
		return nil
	case i > uint64(len(d.locs)):
		d.fail("location %d of %d", i, len(d.locs))
		return nil
	}
	return &d.locs[i-1]
}

func (d *decoder) module() *ast.Module {
	d.strs = make([]string, d.count())
	for i := range d.strs {
		d.strs[i] = d.rawString()
	}
	d.strVals = make([]ast.Value, len(d.strs))
	d.varVals = make([]ast.Value, len(d.strs))
	d.locs = make([]ast.Location, d.count())
	for i := range d.locs {
		d.location(&d.locs[i])
	}
	d.terms = make([]ast.Term, 0, d.count())
	d.slots = make([]*ast.Term, 0, d.count())
	if d.err != nil {
		return nil
	}
	m := &ast.Module{}
	span, err := ast.NewRegoVersionSpan(ast.RegoVersion(d.byte()), ast.RegoVersion(d.byte()))
	if err != nil {
		d.fail("Rego version: %v", err)
		return nil
	}
	m.SetRegoVersionSpan(span)
	m.Package = &ast.Package{Location: d.loc()}
	m.Package.Path = ast.Ref(d.termList())
	if n := d.count(); n > 0 {
		m.Imports = make([]*ast.Import, n)
		for i := range m.Imports {
			imp := &ast.Import{Location: d.loc(), AliasLocation: d.loc()}
			imp.Alias = ast.Var(d.str())
			imp.Path = d.term()
			m.Imports[i] = imp
		}
	}
	if n := d.count(); n > 0 {
		m.Rules = make([]*ast.Rule, n)
		for i := range m.Rules {
			m.Rules[i] = d.rule(m)
		}
	}
	return m
}

func (d *decoder) location(l *ast.Location) {
	l.File = d.str()
	l.Row = d.int()
	l.Col = d.int()
	l.Offset = d.int()
	switch d.byte() {
	case textSource:
		n := d.count()
		if end := l.Offset + n; end <= len(d.src) && d.err == nil {
			l.Text = d.src[l.Offset:end:end]
		} else {
			d.fail("location text past the end of the source")
		}
	case textLiteral:
		l.Text = []byte(d.rawString())
	case textNil:
	default:
		d.fail("location text mode")
	}
	if n := d.count(); n > 0 {
		l.Tabs = make([]int, n)
		for i := range l.Tabs {
			l.Tabs[i] = d.int()
		}
	}
}

func (d *decoder) int() int {
	n := d.uvarint()
	if n > 1<<31 {
		d.fail("number %d out of range", n)
		return 0
	}
	return int(n)
}

func (d *decoder) rule(m *ast.Module) *ast.Rule {
	if d.err != nil {
		return nil
	}
	r := &ast.Rule{Location: d.loc(), Default: d.bool(), Module: m}
	h := &ast.Head{Location: d.loc()}
	h.Name = ast.Var(d.str())
	h.Reference = ast.Ref(d.termList())
	h.Args = ast.Args(d.termList())
	h.Key = d.term()
	h.Value = d.term()
	h.Assign = d.bool()
	r.Head = h
	r.Body = d.body()
	if d.bool() {
		r.Else = d.rule(m)
	}
	return r
}

func (d *decoder) body() ast.Body {
	n := d.list()
	if n < 0 {
		return nil
	}
	b := make(ast.Body, n)
	for i := range b {
		b[i] = d.expr()
	}
	return b
}

func (d *decoder) expr() *ast.Expr {
	x := &ast.Expr{Location: d.loc(), Index: d.int(), Generated: d.bool(), Negated: d.bool()}
	if n := d.count(); n > 0 {
		x.With = make([]*ast.With, n)
		for i := range x.With {
			w := &ast.With{Location: d.loc()}
			w.Target = d.term()
			w.Value = d.term()
			x.With[i] = w
		}
	}
	switch d.byte() {
	case eTerm:
		x.Terms = d.term()
	case eCall:
		x.Terms = d.termList()
	case eSome:
		s := &ast.SomeDecl{Location: d.loc()}
		s.Symbols = d.termList()
		x.Terms = s
	case eEvery:
		ev := &ast.Every{Location: d.loc()}
		ev.Key = d.term()
		ev.Value = d.term()
		ev.Domain = d.term()
		ev.Body = d.body()
		x.Terms = ev
	default:
		d.fail("expression kind")
	}
	return x
}

// termList reads a list of terms into the module's block of slots (capacity-limited, so an
// append copies instead of overwriting the next list).
func (d *decoder) termList() []*ast.Term {
	n := d.list()
	if n < 0 {
		return nil
	}
	if len(d.slots)+n > cap(d.slots) {
		d.fail("more list elements than counted")
		return nil
	}
	start := len(d.slots)
	d.slots = d.slots[:start+n]
	ts := d.slots[start : start+n : start+n]
	for i := range ts {
		if ts[i] = d.term(); ts[i] == nil {
			d.fail("nil term in a list")
			return nil
		}
	}
	return ts
}

func (d *decoder) term() *ast.Term {
	kind := d.byte()
	if kind == kNil || d.err != nil {
		return nil
	}
	if len(d.terms) == cap(d.terms) {
		d.fail("more terms than counted")
		return nil
	}
	d.terms = d.terms[:len(d.terms)+1]
	t := &d.terms[len(d.terms)-1]
	switch kind {
	case kNull:
		t.Value = ast.Null{}
	case kFalse:
		t.Value = ast.Boolean(false)
	case kTrue:
		t.Value = ast.Boolean(true)
	case kNumber:
		t.Value = ast.Number(d.str())
	case kString:
		if i := d.strIndex(); i >= 0 {
			if d.strVals[i] == nil {
				d.strVals[i] = ast.String(d.strs[i])
			}
			t.Value = d.strVals[i]
		}
	case kVar:
		if i := d.strIndex(); i >= 0 {
			if d.varVals[i] == nil {
				d.varVals[i] = ast.Var(d.strs[i])
			}
			t.Value = d.varVals[i]
		}
	case kRef:
		t.Value = ast.Ref(d.termList())
	case kArray:
		if ts := d.termList(); d.err == nil {
			t.Value = ast.NewArray(ts...)
		}
	case kSet:
		if ts := d.termList(); d.err == nil {
			t.Value = ast.NewSet(ts...)
		}
	case kObject:
		pairs := make([][2]*ast.Term, d.count())
		for i := range pairs {
			if pairs[i] = [2]*ast.Term{d.term(), d.term()}; pairs[i][0] == nil || pairs[i][1] == nil {
				d.fail("nil term in an object")
				return nil
			}
		}
		t.Value = ast.NewObject(pairs...)
	case kCall:
		t.Value = ast.Call(d.termList())
	case kArrayCompr:
		c := &ast.ArrayComprehension{Term: d.term()}
		c.Body = d.body()
		t.Value = c
	case kSetCompr:
		c := &ast.SetComprehension{Term: d.term()}
		c.Body = d.body()
		t.Value = c
	case kObjectCompr:
		c := &ast.ObjectComprehension{Key: d.term()}
		c.Value = d.term()
		c.Body = d.body()
		t.Value = c
	default:
		d.fail("term kind %d", kind)
	}
	t.Location = d.loc()
	if d.err != nil || t.Value == nil {
		d.fail("term without a value")
		return nil
	}
	return t
}
