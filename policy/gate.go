package policy

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/wavecheck/wavecheck/internal/parallel"
)

// Compiling only the built-in rules an app can trigger.
//
// Parsing and compiling the whole rule pack is most of what a small app's lint costs (the
// process compiles it on every generate: OPA v1 can neither serialise a compiled ast.Compiler
// nor evaluate a pre-planned IR policy in Go without Wasm, see ARCHITECTURE.md, "Start-up").
// Most built-in rules only look at the objects of one or more candidate lists of
// wavecheck.lib (lib.hooks, lib.hook_annotated, ...: data.wavecheck.sets, computed in Go):
// when all of a rule's lists are empty it cannot report anything. Such a rule is gated: when
// a Linter has no user policies, each evaluation compiles lib and only the rules whose lists
// are not all empty, and reports the same findings (TestGatedRulesKeepFindings).
//
// A rule is gated when its module reads the objects only through candidate lists: it refers
// to no data.wavecheck document other than wavecheck.lib, not to input, and every other lib
// rule it uses reads no object (directly or through other lib rules). It is gated on those
// lists.
//
// A rule is also gated when it is anchored: every body of its findings starts from a
// candidate list (a top-level, non-negated `some o in lib.L` without `with`), so no body can
// succeed while its lists are empty, whatever else it reads (hook-depends-on-later looks up
// the ServiceAccount a hook uses in data.wavecheck.lookup, cr-without-crd reads every CRD).
// Only the findings document is queried, so the module's other rules do not matter. It is
// gated on its anchor lists, which for a rule gated both ways are the fewer.

// candidateLists maps the candidate lists of wavecheck.lib to their data.wavecheck.sets entry.
var candidateLists = map[string]string{
	"hooks": "hooks", "hook_annotated": "hookAnnotated", "delete_policy_annotated": "deletePolicy",
	"sync_options_annotated": "syncOptions", "hook_weighted": "hookWeight", "applications": "applications",
	"raw_issues": "rawIssues", "moved": "moved", "generated_names": "generateName",
	"workloads": "workloads", "unstable": "unstable", "custom_resources": "customResources", "unnamed": "unnamed",
	"duplicates": "duplicates",
}

// libPath and rulesPath are built, not parsed: the gated compilation never runs OPA's parser
// (parseBuiltinFile), and parsing at init touched its code in every process.
var libPath = ast.Ref{ast.DefaultRootDocument, ast.InternedTerm("wavecheck"), ast.InternedTerm("lib")}

// ruleGates returns, for each built-in rule package path of mods, the sets it is gated on
// (sorted), or nil when the rule must always be compiled.
func ruleGates(mods []module) map[string][]string {
	var lib *ast.Module
	for _, m := range mods {
		if m.builtin && m.mod.Package.Path.Equal(libPath) {
			lib = m.mod
		}
	}
	if lib == nil {
		return map[string][]string{}
	}
	readsObjects := libReadsObjects(lib)
	out := map[string][]string{}
	for _, m := range mods {
		if !m.builtin || !isRulePackage(m.mod.Package.Path) {
			continue
		}
		out[m.mod.Package.Path.String()] = moduleGate(m.mod, readsObjects)
	}
	return out
}

// moduleGate is the sorted sets a rule module is gated on, or nil.
func moduleGate(mod *ast.Module, libReads map[string]bool) []string {
	aliases := libAliases(mod)
	// The anchors of a module gated both ways are among the lists it reads: the tighter gate
	// (helm-post-hook-health-gate reads lib.workloads but starts from lib.hooks).
	if g := anchorGate(mod, aliases); g != nil {
		return g
	}
	return listGate(mod, aliases, libReads)
}

// libAliases are the names a module imports data.wavecheck.lib as.
func libAliases(mod *ast.Module) map[string]bool {
	aliases := map[string]bool{}
	for _, imp := range mod.Imports {
		if r, ok := imp.Path.Value.(ast.Ref); ok && r.Equal(libPath) {
			name := string(imp.Alias)
			if name == "" {
				name = "lib"
			}
			aliases[name] = true
		}
	}
	return aliases
}

// listGate is the sorted sets of a module that reads the objects only through candidate
// lists, or nil.
func listGate(mod *ast.Module, aliases, libReads map[string]bool) []string {
	sets := map[string]bool{}
	gated := true
	for _, rule := range mod.Rules {
		ast.WalkRefs(rule, func(r ast.Ref) bool {
			head, ok := r[0].Value.(ast.Var)
			if !ok {
				return false
			}
			var rest ast.Ref // the reference below data.wavecheck.lib
			switch {
			case head.Equal(ast.InputRootDocument.Value):
				gated = false
				return false
			case head.Equal(ast.DefaultRootDocument.Value):
				if !r.HasPrefix(libPath) {
					if len(r) < 2 || refString(r[1]) == "wavecheck" {
						gated = false // data.wavecheck.objects, .lookup, .index, .sets, ...
					}
					return false
				}
				rest = r[len(libPath):]
			case aliases[string(head)]:
				rest = r[1:]
			default:
				return false
			}
			name := ""
			if len(rest) > 0 {
				name = refString(rest[0])
			}
			if set, ok := candidateLists[name]; ok {
				sets[set] = true
			} else if name == "" || libReads[name] {
				gated = false // the whole lib, a computed name, or a lib rule reading objects
			}
			return false
		})
	}
	if !gated {
		return nil
	}
	return sortedSets(sets)
}

// anchorGate is the sorted anchor lists of a module whose every findings body is anchored
// on a candidate list, or nil.
func anchorGate(mod *ast.Module, aliases map[string]bool) []string {
	sets := map[string]bool{}
	found := false
	for _, rule := range mod.Rules {
		if ruleName(rule) != "findings" {
			continue
		}
		if rule.Default || rule.Else != nil {
			return nil
		}
		found = true
		anchored := false
		for _, expr := range rule.Body {
			if set := anchorList(expr, aliases); set != "" {
				sets[set], anchored = true, true
			}
		}
		if !anchored {
			return nil
		}
	}
	if !found {
		return nil
	}
	return sortedSets(sets)
}

// anchorList is the data.wavecheck.sets entry of the candidate list expr iterates
// (`some o in lib.L` or `some i, o in lib.L`, not negated, without with), or "".
func anchorList(expr *ast.Expr, aliases map[string]bool) string {
	decl, ok := expr.Terms.(*ast.SomeDecl)
	if expr.Negated || len(expr.With) > 0 || !ok || len(decl.Symbols) != 1 {
		return ""
	}
	call, ok := decl.Symbols[0].Value.(ast.Call)
	if !ok || len(call) < 3 || (call[0].Value.Compare(ast.Member.Ref()) != 0 && call[0].Value.Compare(ast.MemberWithKey.Ref()) != 0) {
		return ""
	}
	coll, ok := call[len(call)-1].Value.(ast.Ref)
	if !ok {
		return ""
	}
	var rest ast.Ref
	switch head, _ := coll[0].Value.(ast.Var); {
	case coll.HasPrefix(libPath):
		rest = coll[len(libPath):]
	case aliases[string(head)]:
		rest = coll[1:]
	default:
		return ""
	}
	if len(rest) != 1 {
		return ""
	}
	return candidateLists[refString(rest[0])]
}

func sortedSets(sets map[string]bool) []string {
	if len(sets) == 0 {
		return nil
	}
	out := make([]string, 0, len(sets))
	for s := range sets {
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

func refString(t *ast.Term) string {
	if s, ok := t.Value.(ast.String); ok {
		return string(s)
	}
	return ""
}

// libReadsObjects reports, for each rule of lib, whether it reads the objects: it refers to
// input or to a data document other than data.wavecheck.argocd, .argocd_version,
// .tracking_method and .namespace, or uses a lib rule that does (a fixpoint over the rules'
// uses of each other; a local variable named like a rule counts as a use).
func libReadsObjects(lib *ast.Module) map[string]bool {
	safeData := map[string]bool{"argocd": true, "argocd_version": true, "tracking_method": true, "namespace": true}
	rules := map[string]bool{}
	for _, r := range lib.Rules {
		rules[ruleName(r)] = true
	}
	reads := map[string]bool{}
	uses := map[string]map[string]bool{}
	for _, r := range lib.Rules {
		name := ruleName(r)
		if uses[name] == nil {
			uses[name] = map[string]bool{}
		}
		ast.WalkRefs(r, func(ref ast.Ref) bool {
			head, ok := ref[0].Value.(ast.Var)
			switch {
			case !ok:
			case head.Equal(ast.InputRootDocument.Value):
				reads[name] = true
			case head.Equal(ast.DefaultRootDocument.Value):
				switch {
				case ref.HasPrefix(libPath) && len(ref) > len(libPath) && rules[refString(ref[len(libPath)])]:
					uses[name][refString(ref[len(libPath)])] = true
				case len(ref) >= 3 && refString(ref[1]) == "wavecheck" && safeData[refString(ref[2])]:
				default:
					reads[name] = true
				}
			}
			return false
		})
		ast.WalkVars(r, func(v ast.Var) bool {
			if rules[string(v)] && string(v) != name {
				uses[name][string(v)] = true
			}
			return false
		})
	}
	for changed := true; changed; {
		changed = false
		for name, us := range uses {
			if reads[name] {
				continue
			}
			for u := range us {
				if reads[u] {
					reads[name], changed = true, true
					break
				}
			}
		}
	}
	return reads
}

func ruleName(r *ast.Rule) string {
	if len(r.Head.Reference) > 0 {
		if v, ok := r.Head.Reference[0].Value.(ast.Var); ok {
			return string(v)
		}
	}
	return r.Head.Name.String()
}

// gatedPack is the built-in rules compiled for one combination of non-empty candidate lists.
type gatedPack struct {
	once    sync.Once
	queries []builtinQuery
	err     error
}

// builtinQueries returns the prepared queries of the built-in rules an evaluation with these
// non-empty candidate lists needs, in rule order: every rule when the Linter compiled them in
// New, else lib and the rules not gated out, parsed and compiled once per combination.
func (e *Linter) builtinQueries(ctx context.Context, nonEmpty map[string]bool) ([]builtinQuery, error) {
	if e.lazy == nil {
		return e.builtin, nil
	}
	idx := e.lazy.index
	var keep []indexRule
	var key strings.Builder
	for _, r := range idx.Rules {
		if r.Gate != nil && !slices.ContainsFunc(r.Gate, func(s string) bool { return nonEmpty[s] }) {
			key.WriteByte('0')
			continue
		}
		key.WriteByte('1')
		keep = append(keep, r)
	}
	v, _ := e.lazy.packs.LoadOrStore(key.String(), &gatedPack{})
	p := v.(*gatedPack)
	p.once.Do(func() { p.queries, p.err = e.compileRules(ctx, idx.Support, keep) })
	return p.queries, p.err
}

// compileRules rebuilds (parseBuiltinFile) and compiles the support modules and the given
// rules, and prepares a query per rule.
func (e *Linter) compileRules(ctx context.Context, support []string, keep []indexRule) ([]builtinQuery, error) {
	files := make([]string, 0, len(support)+len(keep))
	files = append(files, support...)
	for _, r := range keep {
		files = append(files, r.File)
	}
	mods, err := builtinFiles(files)
	if err != nil {
		return nil, err
	}
	c, err := compileTrusted(mods)
	if err != nil {
		return nil, err
	}
	out := make([]builtinQuery, 0, len(keep))
	for _, r := range keep {
		pq, err := rego.New(e.regoOpts(c, r.Package+".findings")...).PrepareForEval(ctx)
		if err != nil {
			return nil, fmt.Errorf("prepare built-in rule %s: %w", r.Rule.ID, formatRegoError(err))
		}
		out = append(out, builtinQuery{id: r.Rule.ID, query: pq})
	}
	return out, nil
}

// builtinFiles rebuilds the named files of the built-in pack (parseBuiltinFile), in order.
// They are rebuilt independently: on both cores, without doing any work twice.
func builtinFiles(files []string) ([]module, error) {
	mods := make([]module, len(files))
	if err := parallel.Do(len(files), func(i int) error {
		m, err := parseBuiltinFile(files[i])
		mods[i] = m
		return err
	}); err != nil {
		return nil, err
	}
	return mods, nil
}

// builtinIndependent reports whether the built-in rules can be compiled apart from these user
// modules (gated, per evaluation) without changing what either reports: no user module is in
// a package under data.wavecheck.lib or data.wavecheck.rules (which would add rules to lib or
// to a built-in rule), and none can read a built-in rule's documents: no import or reference
// reaches data.wavecheck.rules, data.wavecheck or data whole, or a key of data or
// data.wavecheck computed at evaluation. User modules may use lib and read any object; they
// are compiled with lib (New).
func builtinIndependent(userMods []module) bool {
	for _, m := range userMods {
		if p := m.mod.Package.Path; p.HasPrefix(libPath) || p.HasPrefix(rulesPath) || rulesPath.HasPrefix(p) {
			return false // in lib or a rule, or data.wavecheck itself (a rule named lib or rules)
		}
		for _, imp := range m.mod.Imports {
			if r, ok := imp.Path.Value.(ast.Ref); ok && !dataRefIndependent(r) {
				return false
			}
		}
		independent := true
		var visit func(x any) bool
		visit = func(x any) bool {
			switch v := x.(type) {
			case ast.Ref:
				if !dataRefIndependent(v) {
					independent = false
				}
				for _, t := range v[1:] {
					ast.NewGenericVisitor(visit).Walk(t)
				}
				return true
			case ast.Var:
				if v.Equal(ast.DefaultRootDocument.Value) {
					independent = false // data as a whole, outside a reference
				}
			}
			return !independent
		}
		for _, r := range m.mod.Rules {
			ast.NewGenericVisitor(visit).Walk(r)
		}
		if !independent {
			return false
		}
	}
	return true
}

var rulesPath = ast.Ref{ast.DefaultRootDocument, ast.InternedTerm("wavecheck"), ast.InternedTerm("rules")}

// dataRefIndependent reports whether a reference cannot reach a built-in rule's documents:
// it does not start with data, or it names a document of data other than data.wavecheck, or
// one of data.wavecheck other than rules, with constant keys.
func dataRefIndependent(r ast.Ref) bool {
	if len(r) == 0 || !r[0].Equal(ast.DefaultRootDocument) {
		return true
	}
	if len(r) < 2 {
		return false
	}
	first, ok := r[1].Value.(ast.String)
	if !ok {
		return false
	}
	if first != "wavecheck" {
		return true
	}
	if len(r) < 3 {
		return false
	}
	second, ok := r[2].Value.(ast.String)
	return ok && second != "rules"
}

// lazyBuiltin is the state of a Linter that compiles the built-in rules per evaluation.
type lazyBuiltin struct {
	index *builtinIndex
	packs sync.Map // key of kept rules ("0" gated out, "1" kept, in index order) -> *gatedPack
}
