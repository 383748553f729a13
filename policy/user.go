package policy

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
)

type userRule struct {
	namespace string
	name      string // rule name, e.g. deny_latest
	rule      Rule   // metadata (ID, default severity, ...)
	query     rego.PreparedEvalQuery
	exception *rego.PreparedEvalQuery
}

// The conftest rule names, compiled on first use: most processes have no user policy.
var (
	failureRule = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(deny|violation)(_[a-zA-Z0-9]+)*$`) })
	warningRule = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^warn(_[a-zA-Z0-9]+)*$`) })
)

// prepareUser finds the conftest-style rules (deny, violation, warn, optionally suffixed
// with _name) of the selected namespaces and prepares one query per rule, plus the conftest
// exception query when the namespace has an exception rule.
func (e *Linter) prepareUser(ctx context.Context, c *ast.Compiler, mods []module) error {
	namespaces := e.opts.Namespaces
	if len(namespaces) == 0 && !e.opts.AllNamespaces {
		namespaces = []string{"main"}
	}
	want := map[string]bool{}
	for _, ns := range namespaces {
		want[ns] = true
	}
	type key struct{ ns, name string }
	seen := map[key]bool{}
	hasException := map[string]bool{}
	var keys []key
	meta := map[key]*ast.Annotations{}
	for _, m := range mods {
		ns := strings.TrimPrefix(m.mod.Package.Path.String(), "data.")
		if !e.opts.AllNamespaces && !want[ns] {
			continue
		}
		for _, r := range m.mod.Rules {
			ref := r.Head.Ref()
			if len(ref) != 1 {
				continue
			}
			name := ref[0].Value.String()
			if name == "exception" {
				hasException[ns] = true
				continue
			}
			if !failureRule().MatchString(name) && !warningRule().MatchString(name) {
				continue
			}
			// As conftest: `deny if {...}` (no contains) is a boolean, not a set of messages.
			if r.Head.Key == nil && r.Head.Value != nil && r.Head.Value.String() == "true" {
				return fmt.Errorf("load policy %s:%d: rule %s uses \"if\" without \"contains\": write %s contains msg if { ... }",
					m.file, r.Head.Location.Row, name, name)
			}
			k := key{ns, name}
			for _, a := range r.Annotations {
				if a.Scope == "rule" || a.Scope == "document" {
					meta[k] = a
				}
			}
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
		if meta[key{ns, ""}] == nil {
			for _, a := range m.mod.Annotations {
				if a.Scope == "package" || a.Scope == "subpackages" {
					meta[key{ns, ""}] = a
				}
			}
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].ns != keys[j].ns {
			return keys[i].ns < keys[j].ns
		}
		return keys[i].name < keys[j].name
	})
	for _, k := range keys {
		r := Rule{ID: k.ns + "." + k.name, Severity: SeverityError}
		if warningRule().MatchString(k.name) {
			r.Severity = SeverityWarning
		}
		if a := meta[k]; a != nil {
			m := ruleFromAnnotations(a)
			r = mergeRule(r, m)
		}
		pq, err := rego.New(e.regoOpts(c, fmt.Sprintf("data.%s.%s", k.ns, k.name))...).PrepareForEval(ctx)
		if err != nil {
			return fmt.Errorf("prepare rule %s: %w", r.ID, formatRegoError(err))
		}
		ur := userRule{namespace: k.ns, name: k.name, rule: r, query: pq}
		if hasException[k.ns] {
			q := fmt.Sprintf("data.%s.exception[_][_] == %q", k.ns, removeRulePrefix(k.name))
			xq, err := rego.New(e.regoOpts(c, q)...).PrepareForEval(ctx)
			if err != nil {
				return fmt.Errorf("prepare exceptions of %s: %w", r.ID, formatRegoError(err))
			}
			ur.exception = &xq
		}
		if _, dup := e.ruleByID[r.ID]; !dup {
			e.rules = append(e.rules, r)
			e.ruleByID[r.ID] = r
		}
		e.user = append(e.user, ur)
	}
	return nil
}

func mergeRule(base, m Rule) Rule {
	if m.ID != "" {
		base.ID = m.ID
	}
	if m.Severity != "" {
		base.Severity = m.Severity
	}
	if m.Title != "" {
		base.Title = m.Title
	}
	if m.Description != "" {
		base.Description = m.Description
	}
	if m.Hint != "" {
		base.Hint = m.Hint
	}
	if m.Link != "" {
		base.Link = m.Link
	}
	return base
}

func removeRulePrefix(rule string) string {
	if rule == "deny" || rule == "violation" || rule == "warn" {
		return "" // as conftest: exceptions name suffixed rules only
	}
	for _, p := range []string{"violation_", "deny_", "warn_"} {
		rule = strings.TrimPrefix(rule, p)
	}
	return rule
}

// evalUser runs each conftest-style rule with each object as input, like conftest does for
// each document of a multi-document file.
func (ev *evaluation) evalUser(ctx context.Context) ([]hit, []Suppressed, error) {
	txn, done, err := ev.data.txn(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("evaluate user rules: %w", err)
	}
	defer done()
	var out []hit
	var exc []Suppressed
	for i, o := range ev.objs {
		input := ev.inputs[i]
		for _, ur := range ev.linter.user {
			if ur.exception != nil {
				rs, err := ur.exception.Eval(ctx, rego.EvalParsedInput(input), rego.EvalTransaction(txn))
				if err != nil {
					return nil, nil, fmt.Errorf("rule %s: %w", ur.rule.ID, err)
				}
				if len(rs) > 0 {
					f := Finding{Rule: ur.rule.ID, Severity: ur.rule.Severity, Message: fmt.Sprintf("exception for %s", removeRulePrefix(ur.name)),
						Object: refOf(o), File: o.Source.File, Line: o.Source.Line}
					exc = append(exc, Suppressed{Finding: f, By: "exception", Reason: fmt.Sprintf("data.%s.exception lists %q", ur.namespace, removeRulePrefix(ur.name))})
					continue
				}
			}
			rs, err := ur.query.Eval(ctx, rego.EvalParsedInput(input), rego.EvalTransaction(txn))
			if err != nil {
				return nil, nil, fmt.Errorf("rule %s: %w", ur.rule.ID, err)
			}
			for _, r := range rs {
				for _, ex := range r.Expressions {
					items, _ := ex.Value.([]any)
					for _, it := range items {
						f, err := newFinding(ur.rule, it, o)
						if err != nil {
							return nil, nil, err
						}
						out = append(out, hit{f, i})
					}
				}
			}
		}
	}
	return out, exc, nil
}
