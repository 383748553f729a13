package policy

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/wavecheck/wavecheck/internal/parallel"
)

// builtinQuery returns the findings of one built-in rule. The rules are separate queries so
// that one evaluation runs them on every core.
type builtinQuery struct {
	id    string
	query rego.PreparedEvalQuery
}

// prepareBuiltin reads the metadata of each built-in rule package and prepares a query
// returning the findings of each rule.
func (e *Linter) prepareBuiltin(ctx context.Context, c *ast.Compiler, mods []module) error {
	rules, err := e.registerBuiltin(mods)
	if err != nil {
		return err
	}
	for _, m := range rules {
		id := e.ruleIDByPackage[m.mod.Package.Path.String()]
		pq, err := rego.New(e.regoOpts(c, m.mod.Package.Path.String()+".findings")...).PrepareForEval(ctx)
		if err != nil {
			return fmt.Errorf("prepare built-in rule %s: %w", id, formatRegoError(err))
		}
		e.builtin = append(e.builtin, builtinQuery{id: id, query: pq})
	}
	return nil
}

// registerBuiltin reads the metadata of each built-in rule package and returns the rule
// modules, in order.
func (e *Linter) registerBuiltin(mods []module) ([]module, error) {
	var out []module
	for _, m := range mods {
		if !m.builtin || !isRulePackage(m.mod.Package.Path) {
			continue
		}
		r, err := builtinRule(m)
		if err != nil {
			return nil, err
		}
		if _, dup := e.ruleByID[r.ID]; dup {
			return nil, fmt.Errorf("load built-in rules: duplicate rule id %s", r.ID)
		}
		e.rules = append(e.rules, r)
		e.ruleByID[r.ID] = r
		e.ruleIDByPackage[m.mod.Package.Path.String()] = r.ID
		out = append(out, m)
	}
	return out, nil
}

func isRulePackage(p ast.Ref) bool {
	return len(p) == 4 && p[1].Equal(ast.StringTerm("wavecheck")) && p[2].Equal(ast.StringTerm("rules"))
}

// builtinRule reads a built-in rule's package METADATA: title, description, and custom id,
// severity, hint, link (or the first related_resources ref).
func builtinRule(m module) (Rule, error) {
	var a *ast.Annotations
	for _, x := range m.mod.Annotations {
		if x.Scope == "package" {
			a = x
		}
	}
	if a == nil {
		return Rule{}, fmt.Errorf("load built-in rule %s: no package METADATA", m.file)
	}
	r := ruleFromAnnotations(a)
	if r.ID == "" {
		return Rule{}, fmt.Errorf("load built-in rule %s: METADATA lacks custom.id", m.file)
	}
	want := strings.ReplaceAll(r.ID, "-", "_")
	if got := string(m.mod.Package.Path[3].Value.(ast.String)); got != want {
		return Rule{}, fmt.Errorf("load built-in rule %s: package %s does not match id %s", m.file, got, r.ID)
	}
	if r.Severity == "" {
		return Rule{}, fmt.Errorf("load built-in rule %s: METADATA lacks a valid custom.severity", m.file)
	}
	return r, nil
}

func ruleFromAnnotations(a *ast.Annotations) Rule {
	r := Rule{Title: a.Title, Description: strings.TrimSpace(a.Description)}
	str := func(k string) string {
		s, _ := a.Custom[k].(string)
		return strings.TrimSpace(s)
	}
	r.ID = str("id")
	if s, err := ParseSeverity(str("severity")); err == nil {
		r.Severity = s
	}
	r.Hint = str("hint")
	r.Link = str("link")
	if r.Link == "" && len(a.RelatedResources) > 0 {
		r.Link = a.RelatedResources[0].Ref.String()
	}
	return r
}

// evalBuiltin runs the built-in rules concurrently (prepared queries and read transactions are
// safe for concurrent use) and returns their findings in rule order.
func (ev *evaluation) evalBuiltin(ctx context.Context) ([]hit, error) {
	qs, err := ev.linter.builtinQueries(ctx, ev.nonEmpty)
	if err != nil {
		return nil, fmt.Errorf("compile built-in rules: %w", err)
	}
	per := make([][]hit, len(qs))
	if err := parallel.Do(len(qs), func(i int) error {
		hs, err := ev.evalRule(ctx, qs[i])
		per[i] = hs
		return err
	}); err != nil {
		return nil, err
	}
	var out []hit
	for _, hs := range per {
		out = append(out, hs...)
	}
	return out, nil
}

func (ev *evaluation) evalRule(ctx context.Context, q builtinQuery) ([]hit, error) {
	objs := ev.objs
	txn, done, err := ev.data.txn(ctx)
	if err != nil {
		return nil, fmt.Errorf("built-in rule %s: %w", q.id, err)
	}
	defer done()
	rs, err := q.query.Eval(ctx, rego.EvalTransaction(txn))
	if err != nil {
		return nil, fmt.Errorf("built-in rule %s: %w", q.id, err)
	}
	if len(rs) != 1 || len(rs[0].Expressions) != 1 {
		return nil, fmt.Errorf("built-in rule %s: query gave %d results", q.id, len(rs))
	}
	rule := ev.linter.ruleByID[q.id]
	items, _ := rs[0].Expressions[0].Value.([]any)
	out := make([]hit, 0, len(items))
	for _, it := range items {
		m, ok := it.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("built-in rule %s: finding %v is not an object", q.id, it)
		}
		idx, ok := jsonInt(m["index"])
		if !ok || idx < 0 || idx >= len(objs) {
			return nil, fmt.Errorf("built-in rule %s: finding has no valid index: %v", q.id, m)
		}
		f, err := newFinding(rule, m, objs[idx])
		if err != nil {
			return nil, fmt.Errorf("built-in rule %s: %w", q.id, err)
		}
		out = append(out, hit{f, idx})
	}
	return out, nil
}

func jsonInt(v any) (int, bool) {
	switch n := v.(type) {
	case json.Number:
		i, err := n.Int64()
		return int(i), err == nil
	case int:
		return n, true
	case int64:
		return int(n), true
	case float64:
		return int(n), n == float64(int(n))
	}
	return 0, false
}
