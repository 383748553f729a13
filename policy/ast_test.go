package policy

import (
	"bytes"
	"io/fs"
	"path/filepath"
	"testing"

	"github.com/wavecheck/wavecheck/policy/internal/astcodec"
	"github.com/wavecheck/wavecheck/policy/rules"
	"github.com/wavecheck/wavecheck/test/golden"
)

// TestBuiltinAST checks policy/rules/ast.bin, the built-in rule pack parsed at build time:
// it is the encoding of what parseBuiltinSource returns for every file the index lists (run
// with -update to regenerate it after changing a rule or OPA), and parseBuiltinFile rebuilds
// each module exactly, every node and location (astcodec.Diff).
func TestBuiltinAST(t *testing.T) {
	idx, err := embeddedIndex()
	if err != nil {
		t.Fatal(err)
	}
	names := append([]string{}, idx.Support...)
	for _, r := range idx.Rules {
		names = append(names, r.File)
	}
	var files []astcodec.File
	for _, name := range names {
		src, err := fs.ReadFile(rules.FS, name)
		if err != nil {
			t.Fatal(err)
		}
		m, err := parseBuiltinSource(name, src)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, astcodec.File{Name: builtinFileName(name), Source: src, Module: m})
	}
	enc, err := astcodec.Encode(files)
	if err != nil {
		t.Fatal(err)
	}
	if *golden.Update {
		golden.Check(t, filepath.Join("rules", astFile), enc)
	} else if !bytes.Equal(enc, []byte(rules.AST)) {
		t.Errorf("policy/rules/%s is stale (%d bytes, the rules and this OPA give %d): run go test ./policy -run TestBuiltinAST -update", astFile, len(rules.AST), len(enc))
	}
	for i, f := range files {
		got, err := parseBuiltinFile(names[i])
		if err != nil {
			t.Fatal(err)
		}
		if got.file != f.Name || !got.builtin {
			t.Errorf("%s: file %q, builtin %v", names[i], got.file, got.builtin)
		}
		if d := astcodec.Diff(got.mod, f.Module); d != "" {
			t.Errorf("%s: decoded module differs from the parsed one: %s", names[i], d)
		}
	}
}

// TestBuiltinASTStale checks that a rule edited or added after ast.bin was generated is parsed
// from its source, not rebuilt from the older encoding (or refused).
func TestBuiltinASTStale(t *testing.T) {
	pack, err := builtinAST()
	if err != nil {
		t.Fatal(err)
	}
	src, err := fs.ReadFile(rules.FS, "lib.rego")
	if err != nil {
		t.Fatal(err)
	}
	edited := append(append([]byte{}, src...), "\nwavecheck_edited := true\n"...)
	got, err := decodeBuiltin(pack, "lib.rego", edited)
	if err != nil {
		t.Fatal(err)
	}
	want, err := parseBuiltinSource("lib.rego", edited)
	if err != nil {
		t.Fatal(err)
	}
	if d := astcodec.Diff(got.mod, want); d != "" {
		t.Fatalf("an edited lib.rego did not give its parse: %s", d)
	}
	// A rule added since: parsed too.
	added, err := decodeBuiltin(pack, "new_rule.rego", []byte("package wavecheck.rules.new_rule\n\nfindings := []\n"))
	if err != nil {
		t.Fatal(err)
	}
	if added.mod.Package.Path.String() != "data.wavecheck.rules.new_rule" {
		t.Fatalf("new rule: package %v", added.mod.Package.Path)
	}
}
