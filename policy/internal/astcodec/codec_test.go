package astcodec

import (
	"errors"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
)

// corpus has every construct Encode knows, so that the round trip covers each kind.
var corpus = map[string]string{
	"kinds.rego": `package wavecheck.rules.kinds

import data.wavecheck.lib
import data.wavecheck.lib as l2
import input.x

default allow := false

allow if {
	some o in lib.hooks
	o.kind == "Job"
	not o.metadata.name
	count([x | some x in o.spec; x > 1.5]) > 0
	s := {y | some y in lib.workloads}
	m := {k: v | some k, v in o.labels}
	every k, v in o.annotations { startswith(k, "a"); v != null }
	z := [1, -2, 3e10, true, null, "s", {"a": [1, {2}]}, set()]
	f(z) with input.q as {"k": "v"} with data.x as 1
	a = 1
	a == 1
}

f(x) := y if {
	y := x
} else := 0 if {
	true
}

g(_) := 1

findings contains {"id": "kinds", "msg": sprintf("%v", [o])} if {
	some o in lib.hooks
}

p.q[r] := 1 if r := "x"
`,
	"tabs.rego": "package tabs\n\nx if {\n\t1 == 1\n\t\"\\t\" != \"\"\n}\n",
}

func parse(t testing.TB, name, src string) *ast.Module {
	t.Helper()
	m, err := ast.ParseModuleWithOpts(name, src, ast.ParserOptions{RegoVersion: ast.RegoV1})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func encodeCorpus(t testing.TB) ([]File, string) {
	t.Helper()
	var files []File
	for _, name := range []string{"kinds.rego", "tabs.rego"} {
		files = append(files, File{Name: name, Source: []byte(corpus[name]), Module: parse(t, name, corpus[name])})
	}
	enc, err := Encode(files)
	if err != nil {
		t.Fatal(err)
	}
	return files, string(enc)
}

func TestRoundTrip(t *testing.T) {
	files, enc := encodeCorpus(t)
	p, err := Open(enc)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		t.Run(f.Name, func(t *testing.T) {
			if !p.Has(f.Name) {
				t.Fatalf("%s not in the pack", f.Name)
			}
			got, err := p.Decode(f.Name, f.Source)
			if err != nil {
				t.Fatal(err)
			}
			if d := Diff(got, f.Module); d != "" {
				t.Fatalf("decoded module differs: %s", d)
			}
			if !got.Equal(f.Module) {
				t.Fatalf("decoded module is not Equal to the parsed one:\n%v\nparsed:\n%v", got, f.Module)
			}
			// Compiling the decoded module gives what compiling the parsed one gives.
			for _, m := range []*ast.Module{got, f.Module} {
				c := ast.NewCompiler()
				if c.Compile(map[string]*ast.Module{f.Name: m}); c.Failed() {
					t.Fatalf("compile: %v", c.Errors)
				}
			}
		})
	}
}

func TestStale(t *testing.T) {
	files, enc := encodeCorpus(t)
	p, err := Open(enc)
	if err != nil {
		t.Fatal(err)
	}
	edited := append([]byte{}, files[1].Source...)
	edited[len(edited)-2] = ' '
	if _, err := p.Decode(files[1].Name, edited); !errors.Is(err, ErrStale) {
		t.Fatalf("Decode of an edited source: err = %v, want ErrStale", err)
	}
	if _, err := p.Decode("other.rego", files[1].Source); !errors.Is(err, ErrStale) || p.Has("other.rego") {
		t.Fatalf("Decode of a module not in the pack: err = %v, want ErrStale", err)
	}
}

// TestDiffFindsChanges checks that Diff sees a change the semantic Equal ignores (a location)
// and one it sees (a value).
func TestDiffFindsChanges(t *testing.T) {
	src := corpus["tabs.rego"]
	for name, change := range map[string]func(*ast.Module){
		"location": func(m *ast.Module) { m.Rules[0].Body[0].Location.Row++ },
		"value":    func(m *ast.Module) { m.Rules[0].Head.Name = "y" },
		"flag":     func(m *ast.Module) { m.Rules[0].Body[1].Negated = true },
	} {
		t.Run(name, func(t *testing.T) {
			a, b := parse(t, "tabs.rego", src), parse(t, "tabs.rego", src)
			if d := Diff(a, b); d != "" {
				t.Fatalf("two parses differ: %s", d)
			}
			change(a)
			if d := Diff(a, b); d == "" {
				t.Fatal("Diff missed the change")
			}
		})
	}
}

func TestEncodeRefuses(t *testing.T) {
	annotated, err := ast.ParseModuleWithOpts("a.rego", "# METADATA\n# title: x\npackage a\n\nx := 1\n",
		ast.ParserOptions{RegoVersion: ast.RegoV1, ProcessAnnotation: true})
	if err != nil {
		t.Fatal(err)
	}
	tmpl := parse(t, "t.rego", "package t\n\nx := 1\n")
	tmpl.Rules[0].Head.Value = ast.NewTerm(&ast.Not{}) // a kind Encode does not know
	for name, tc := range map[string]struct {
		m    *ast.Module
		want string
	}{
		"annotations":  {annotated, "annotations"},
		"unknown kind": {tmpl, "unknown kind"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Encode([]File{{Name: "x.rego", Module: tc.m}})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

// TestMalformed checks that every truncation and every single-byte change of an encoding
// gives an error or a module, never a panic.
func TestMalformed(t *testing.T) {
	files, enc := encodeCorpus(t)
	try := func(enc string) {
		p, err := Open(enc)
		if err != nil {
			return
		}
		for _, f := range files {
			if p.Has(f.Name) {
				_, _ = p.Decode(f.Name, f.Source)
			}
		}
	}
	for n := range len(enc) {
		if _, err := Open(enc[:n]); err == nil {
			t.Fatalf("Open accepted the encoding cut at %d of %d bytes", n, len(enc))
		}
	}
	p, err := Open(enc)
	if err != nil {
		t.Fatal(err)
	}
	payload := p.payloads["tabs.rego"]
	for n := range len(payload) {
		d := &decoder{b: payload[:n], src: files[1].Source}
		if d.module(); d.err == nil && d.pos == n {
			// A cut that ends exactly after a complete module cannot happen: the rules follow.
			t.Fatalf("decoding the payload cut at %d of %d bytes gave no error", n, len(payload))
		}
	}
	b := []byte(enc)
	for i := len(magic); i < len(b); i++ {
		for _, x := range []byte{0x00, 0x01, 0x7f, 0x80, 0xff} {
			orig := b[i]
			b[i] = x
			try(string(b))
			b[i] = orig
		}
	}
}
