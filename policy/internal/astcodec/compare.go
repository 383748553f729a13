package astcodec

import (
	"fmt"
	"reflect"

	"github.com/open-policy-agent/opa/v1/ast"
)

// parserOnly are the fields Decode leaves unset (see the package comment): unexported
// parser-only fields, and comments.
var parserOnly = map[string]bool{
	"ast.Rule.generatedBody":  true,
	"ast.Head.generatedValue": true,
	"ast.Head.keywords":       true,
	"ast.Module.Comments":     true,
}

// Diff compares a decoded module with the one the parser returned: every field of every
// node, locations included (their Text by content), except the parser-only fields. It
// returns "" when they match, else the first difference. Sets and objects are compared by
// their elements in insertion order; a rule's Module must be the module holding it.
func Diff(decoded, parsed *ast.Module) string {
	c := &comparer{seen: map[[2]uintptr]bool{}}
	c.value("module", reflect.ValueOf(decoded), reflect.ValueOf(parsed))
	for _, r := range decoded.Rules {
		for x := r; x != nil && c.diff == ""; x = x.Else {
			if x.Module != decoded {
				c.diff = fmt.Sprintf("rule %v: Module is not the decoded module", x.Head.Name)
			}
		}
	}
	return c.diff
}

type comparer struct {
	seen map[[2]uintptr]bool
	diff string
}

var (
	setType    = reflect.TypeOf(ast.NewSet())
	objectType = reflect.TypeOf(ast.NewObject())
	moduleType = reflect.TypeOf((*ast.Module)(nil))
	locType    = reflect.TypeOf((*ast.Location)(nil))
)

func (c *comparer) value(path string, a, b reflect.Value) {
	if c.diff != "" {
		return
	}
	if a.Type() != b.Type() {
		c.diff = fmt.Sprintf("%s: type %s, parsed %s", path, a.Type(), b.Type())
		return
	}
	switch a.Type() {
	case setType:
		c.elements(path, setElems(a), setElems(b))
		return
	case objectType:
		c.elements(path, objectElems(a), objectElems(b))
		return
	case locType:
		la, lb := ptr(a).(*ast.Location), ptr(b).(*ast.Location)
		if (la == nil) != (lb == nil) || la != nil && locString(la) != locString(lb) {
			c.diff = fmt.Sprintf("%s: location %s, parsed %s", path, locString(la), locString(lb))
		}
		return
	}
	switch a.Kind() {
	case reflect.Pointer:
		if a.IsNil() || b.IsNil() {
			if a.IsNil() != b.IsNil() {
				c.diff = fmt.Sprintf("%s: nil %v, parsed nil %v", path, a.IsNil(), b.IsNil())
			}
			return
		}
		if a.Type() == moduleType && path != "module" {
			return // a rule's back-pointer: checked by Diff
		}
		key := [2]uintptr{a.Pointer(), b.Pointer()}
		if c.seen[key] {
			return
		}
		c.seen[key] = true
		c.value(path, a.Elem(), b.Elem())
	case reflect.Interface:
		if a.IsNil() || b.IsNil() {
			if a.IsNil() != b.IsNil() {
				c.diff = fmt.Sprintf("%s: nil %v, parsed nil %v", path, a.IsNil(), b.IsNil())
			}
			return
		}
		c.value(path, a.Elem(), b.Elem())
	case reflect.Struct:
		for i := range a.NumField() {
			f := a.Type().Field(i)
			name := a.Type().String() + "." + f.Name
			if parserOnly[name] {
				continue
			}
			c.value(path+"."+f.Name, a.Field(i), b.Field(i))
		}
	case reflect.Slice:
		if a.IsNil() != b.IsNil() || a.Len() != b.Len() {
			c.diff = fmt.Sprintf("%s: %d elements (nil %v), parsed %d (nil %v)", path, a.Len(), a.IsNil(), b.Len(), b.IsNil())
			return
		}
		for i := range a.Len() {
			c.value(fmt.Sprintf("%s[%d]", path, i), a.Index(i), b.Index(i))
		}
	case reflect.String:
		if a.String() != b.String() {
			c.diff = fmt.Sprintf("%s: %q, parsed %q", path, a.String(), b.String())
		}
	case reflect.Bool:
		if a.Bool() != b.Bool() {
			c.diff = fmt.Sprintf("%s: %v, parsed %v", path, a.Bool(), b.Bool())
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if a.Int() != b.Int() {
			c.diff = fmt.Sprintf("%s: %d, parsed %d", path, a.Int(), b.Int())
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if a.Uint() != b.Uint() {
			c.diff = fmt.Sprintf("%s: %d, parsed %d", path, a.Uint(), b.Uint())
		}
	default:
		c.diff = fmt.Sprintf("%s: cannot compare a %s", path, a.Kind())
	}
}

func (c *comparer) elements(path string, a, b []*ast.Term) {
	if len(a) != len(b) {
		c.diff = fmt.Sprintf("%s: %d elements, parsed %d", path, len(a), len(b))
		return
	}
	for i := range a {
		c.value(fmt.Sprintf("%s{%d}", path, i), reflect.ValueOf(a[i]), reflect.ValueOf(b[i]))
	}
}

func setElems(v reflect.Value) []*ast.Term {
	var out []*ast.Term
	ptr(v).(ast.Set).Foreach(func(t *ast.Term) { out = append(out, t) })
	return out
}

func objectElems(v reflect.Value) []*ast.Term {
	var out []*ast.Term
	ptr(v).(ast.Object).Foreach(func(k, x *ast.Term) { out = append(out, k, x) })
	return out
}

// ptr is the pointer v holds, as an interface, also when v was read from an unexported field
// (an ast.Array's elements, an object's).
func ptr(v reflect.Value) any {
	if v.IsNil() {
		return reflect.Zero(v.Type()).Interface()
	}
	return reflect.NewAt(v.Type().Elem(), v.UnsafePointer()).Interface()
}

func locString(l *ast.Location) string {
	if l == nil {
		return "<nil>"
	}
	return fmt.Sprintf("%s:%d:%d@%d %q tabs%v", l.File, l.Row, l.Col, l.Offset, l.Text, l.Tabs)
}
