package policy

import (
	"fmt"
	"slices"
	"sort"

	"github.com/wavecheck/wavecheck/internal/argocd"
	"github.com/wavecheck/wavecheck/internal/manifest"
	"github.com/wavecheck/wavecheck/internal/suggest"
)

// ignoreUnknownRule is the built-in rule that reports a wavecheck.io/ignore annotation naming
// no rule. It is checked in Go, after every other rule ran (it needs their ids and findings),
// so its metadata is declared here rather than in a .rego package.
var ignoreUnknownRule = Rule{
	ID:       "ignore-unknown-rule",
	Severity: SeverityWarning,
	Title:    "wavecheck.io/ignore names an unknown rule",
	Description: "The wavecheck.io/ignore annotation lists rule ids (comma-separated, or * for all) whose findings are\n" +
		"not reported on the object. An id that names no built-in rule, no user rule and no finding of this run\n" +
		"suppresses nothing: usually a typo, so the finding it meant to silence is still reported, or a rule that\n" +
		"was renamed or removed.",
	Hint: "Spell the rule id as `wavecheck rules` lists it, or remove it from wavecheck.io/ignore.",
	Link: "https://github.com/wavecheck/wavecheck/blob/main/docs/rules.md",
}

// registerIgnoreCheck adds ignoreUnknownRule to the built-in rules, in id order.
func (e *Linter) registerIgnoreCheck() {
	builtin := map[string]bool{}
	for _, id := range e.ruleIDByPackage {
		builtin[id] = true
	}
	nb := 0 // the built-in rules come first, sorted by id
	for nb < len(e.rules) && builtin[e.rules[nb].ID] {
		nb++
	}
	i := sort.Search(nb, func(i int) bool { return e.rules[i].ID > ignoreUnknownRule.ID })
	e.rules = slices.Insert(e.rules, i, ignoreUnknownRule)
	e.ruleByID[ignoreUnknownRule.ID] = ignoreUnknownRule
}

// unknownIgnores returns a finding for every id of an object's wavecheck.io/ignore annotation
// that names no known rule and no rule of a finding of this evaluation (a user rule may set
// its id per finding).
func (e *Linter) unknownIgnores(objs []manifest.Object, raw []hit) []hit {
	if e.opts.NoBuiltin || e.opts.NoIgnoreAnnotation {
		return nil
	}
	var out []hit
	seen := map[string]bool{}
	for i, o := range objs {
		list, _ := o.Annotations()[AnnotationIgnore].(string)
		if list == "" {
			continue
		}
		if len(seen) == 0 {
			for _, h := range raw {
				seen[h.Rule] = true
			}
		}
		for _, id := range argocd.CSV(list) {
			if id == "*" || id == "all" || seen[id] {
				continue
			}
			if _, ok := e.ruleByID[id]; ok {
				continue
			}
			msg := fmt.Sprintf("%s names %q, which is no rule: it suppresses nothing", AnnotationIgnore, id)
			if s := e.SuggestRule(id); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			}
			f := Finding{Rule: ignoreUnknownRule.ID, Severity: ignoreUnknownRule.Severity, Hint: ignoreUnknownRule.Hint,
				Message: msg, Object: refOf(o), File: o.Source.File, Line: o.Source.Line}
			out = append(out, hit{Finding: f, obj: i})
		}
	}
	return out
}

// SuggestRule returns the known rule id closest to id, or "" when none is close.
func (e *Linter) SuggestRule(id string) string {
	ids := make([]string, len(e.rules))
	for i, r := range e.rules {
		ids[i] = r.ID
	}
	return suggest.Closest(id, ids)
}
