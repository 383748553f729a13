package policy

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/wavecheck/wavecheck/policy/internal/astcodec"
	"github.com/wavecheck/wavecheck/policy/rules"
)

// builtinIndex is what New needs to know of the built-in rule pack before any evaluation,
// computed when the pack is built instead of in every process: each rule's metadata (its
// package METADATA) and gate (gate.go). It is policy/rules/index.json, embedded with the
// rules, regenerated with `go test ./policy -run TestBuiltinIndex -update`; TestBuiltinIndex
// fails when it is stale. With it, a process without user policies parses and compiles only
// lib and the rules the app can trigger.
type builtinIndex struct {
	// Support are the modules every rule may use (wavecheck.lib), always compiled.
	Support []string `json:"support"`
	// Rules are the rule modules in load order (sorted by file).
	Rules []indexRule `json:"rules"`
}

type indexRule struct {
	File    string   `json:"file"`
	Package string   `json:"package"`
	Rule    Rule     `json:"rule"`
	Gate    []string `json:"gate"`
}

const indexFile = "index.json"

// makeIndex builds the index of the parsed built-in modules, checking each rule's metadata.
func makeIndex(mods []module) (*builtinIndex, error) {
	gates := ruleGates(mods)
	idx := &builtinIndex{Support: []string{}, Rules: []indexRule{}}
	seen := map[string]bool{}
	for _, m := range mods {
		if !m.builtin || m.test {
			continue
		}
		name := m.file[len(builtinPrefix+"policy/rules/"):]
		if !isRulePackage(m.mod.Package.Path) {
			idx.Support = append(idx.Support, name)
			continue
		}
		r, err := builtinRule(m)
		if err != nil {
			return nil, err
		}
		if seen[r.ID] {
			return nil, fmt.Errorf("load built-in rules: duplicate rule id %s", r.ID)
		}
		seen[r.ID] = true
		pkg := m.mod.Package.Path.String()
		idx.Rules = append(idx.Rules, indexRule{File: name, Package: pkg, Rule: r, Gate: gates[pkg]})
	}
	return idx, nil
}

// embeddedIndex reads policy/rules/index.json.
var embeddedIndex = sync.OnceValues(func() (*builtinIndex, error) {
	b, err := fs.ReadFile(rules.FS, indexFile)
	if err != nil {
		return nil, fmt.Errorf("read built-in rule index: %w", err)
	}
	var idx builtinIndex
	if err := json.Unmarshal(b, &idx); err != nil {
		return nil, fmt.Errorf("read built-in rule index: %w", err)
	}
	return &idx, nil
})

// parseBuiltinFile returns one file of the built-in rule pack for the gated compilation
// (gate.go), as parseBuiltinSource parses it, rebuilt from policy/rules/ast.bin: the pack is
// parsed when wavecheck is built, not in every process (policy/internal/astcodec; parsing was
// a third of the first generation of a 10-object app, test/bench/NOTES.md). TestBuiltinAST
// fails when ast.bin is stale.
func parseBuiltinFile(name string) (module, error) {
	src, err := fs.ReadFile(rules.FS, name)
	if err != nil {
		return module{}, fmt.Errorf("read built-in rule %s: %w", name, err)
	}
	pack, err := builtinAST()
	if err != nil {
		return module{}, fmt.Errorf("read built-in rule %s: policy/rules/%s: %w", name, astFile, err)
	}
	return decodeBuiltin(pack, name, src)
}

// decodeBuiltin rebuilds a built-in file's module from pack, or parses src when pack holds
// an older version of it or none.
func decodeBuiltin(pack *astcodec.Pack, name string, src []byte) (module, error) {
	file := builtinFileName(name)
	m, err := pack.Decode(file, src)
	if errors.Is(err, astcodec.ErrStale) {
		// A rule edited or added since ast.bin was generated (TestBuiltinAST fails until it
		// is): the source is what the rule says.
		m, err = parseBuiltinSource(name, src)
	}
	if err != nil {
		return module{}, fmt.Errorf("read built-in rule %s: %w", name, err)
	}
	return module{file: file, mod: m, builtin: true}, nil
}

// astFile is the built-in rule pack parsed (rules.AST).
const astFile = "ast.bin"

var builtinAST = sync.OnceValues(func() (*astcodec.Pack, error) { return astcodec.Open(rules.AST) })

func builtinFileName(name string) string { return builtinPrefix + "policy/rules/" + name }

// parseBuiltinSource parses one file of the built-in rule pack as the gated compilation uses
// it. It skips the METADATA comments: the rules' metadata comes from index.json
// (TestBuiltinIndex compares both), no built-in rule reads rego.metadata, and turning the
// YAML of every comment block into annotations was a fifth of the parse, 7 % of the lint of a
// 10-object app (test/bench/NOTES.md). TestGatedRulesKeepFindings compares the findings with
// the eager compilation, which parses them with their annotations.
func parseBuiltinSource(name string, src []byte) (*ast.Module, error) {
	m, err := ast.ParseModuleWithOpts(builtinFileName(name), string(src), ast.ParserOptions{
		RegoVersion:  ast.RegoV1,
		Capabilities: sandboxCapabilities(),
	})
	if err != nil {
		return nil, fmt.Errorf("parse policy: %w", formatRegoError(err))
	}
	return m, nil
}
