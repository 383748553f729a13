package policy

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"

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

// parseBuiltinFile parses one file of the built-in rule pack for the gated compilation
// (gate.go). It skips the METADATA comments: the rules' metadata comes from index.json
// (TestBuiltinIndex compares both), no built-in rule reads rego.metadata, and turning the
// YAML of every comment block into annotations was a fifth of the parse, 7 % of the lint of a
// 10-object app (test/bench/NOTES.md). TestGatedRulesKeepFindings compares the findings with
// the eager compilation, which parses them.
func parseBuiltinFile(name string) (module, error) {
	src, err := fs.ReadFile(rules.FS, name)
	if err != nil {
		return module{}, fmt.Errorf("read built-in rule %s: %w", name, err)
	}
	file := builtinPrefix + "policy/rules/" + name
	m, err := ast.ParseModuleWithOpts(file, string(src), ast.ParserOptions{
		RegoVersion:  ast.RegoV1,
		Capabilities: sandboxCapabilities(),
	})
	if err != nil {
		return module{}, fmt.Errorf("parse policy: %w", formatRegoError(err))
	}
	return module{file: file, mod: m, builtin: true}, nil
}
