package policy

import (
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/wavecheck/wavecheck/internal/argocd"
	"github.com/wavecheck/wavecheck/policy/rules"
)

// tableMembers maps each string of the Argo CD tables (values, and keys of the mapping tables)
// to the tables it belongs to.
func tableMembers() map[string][]string {
	out := map[string][]string{}
	for name, v := range argocd.TablesDocument() {
		var add func(any)
		add = func(x any) {
			switch x := x.(type) {
			case string:
				if !slices.Contains(out[x], name) {
					out[x] = append(out[x], name)
				}
			case []any:
				for _, e := range x {
					add(e)
				}
			case map[string]any:
				if name == "latest" || name == "hookFinalizerSince" {
					return // version documents: checked separately
				}
				for k, e := range x {
					add(k)
					add(e)
				}
			}
		}
		add(v)
	}
	return out
}

// TestRulesReadArgoCDTables guards the one copy of Argo CD's tables: no built-in rule file
// (lib.rego included, tests excluded) may spell a table of its own. A set or array literal
// holding two or more strings of one table, an object literal with two or more such keys, or a
// version literal ({"major": ..}) is a re-declaration: read data.wavecheck.argocd (lib.argocd)
// instead. Single values used in logic (e.g. "Skip" in a check) are not tables.
func TestRulesReadArgoCDTables(t *testing.T) {
	members := tableMembers()
	if len(members) < 30 {
		t.Fatalf("tables have %d strings; TablesDocument looks incomplete", len(members))
	}
	files, err := fs.Glob(rules.FS, "*.rego")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.rego") {
			continue
		}
		src, err := fs.ReadFile(rules.FS, f)
		if err != nil {
			t.Fatal(err)
		}
		mod, err := ast.ParseModuleWithOpts(f, string(src), ast.ParserOptions{RegoVersion: ast.RegoV1})
		if err != nil {
			t.Fatal(err)
		}
		checked++
		for _, p := range redeclaredTables(mod, members) {
			t.Errorf("%s: %s: read lib.argocd (data.wavecheck.argocd, internal/argocd/tables.go) instead", f, p)
		}
	}
	if checked < 20 {
		t.Fatalf("checked %d rule files, want every built-in rule", checked)
	}
}

// redeclaredTables lists the literals of mod that copy an Argo CD table.
func redeclaredTables(mod *ast.Module, members map[string][]string) []string {
	var problems []string
	count := func(strs []string) (string, int) {
		n := map[string]int{}
		for _, s := range strs {
			for _, table := range members[s] {
				n[table]++
			}
		}
		best, most := "", 0
		for _, table := range slices.Sorted(maps.Keys(n)) {
			if n[table] > most {
				best, most = table, n[table]
			}
		}
		return best, most
	}
	report := func(loc *ast.Location, what string, strs []string) {
		if table, n := count(strs); n >= 2 {
			sort.Strings(strs)
			problems = append(problems, fmt.Sprintf("line %d: %s %v copies table %s", loc.Row, what, strs, table))
		}
	}
	stringsOf := func(terms []*ast.Term) []string {
		var out []string
		for _, t := range terms {
			if s, ok := t.Value.(ast.String); ok {
				out = append(out, string(s))
			}
		}
		return out
	}
	ast.WalkTerms(mod, func(t *ast.Term) bool {
		switch v := t.Value.(type) {
		case *ast.Array:
			var terms []*ast.Term
			v.Foreach(func(x *ast.Term) { terms = append(terms, x) })
			report(t.Location, "array", stringsOf(terms))
		case ast.Set:
			report(t.Location, "set", stringsOf(v.Slice()))
		case ast.Object:
			report(t.Location, "object keys", stringsOf(v.Keys()))
			if v.Get(ast.StringTerm("major")) != nil {
				problems = append(problems, fmt.Sprintf("line %d: version literal %v (use lib.argocd.latest or a gate)", t.Location.Row, v))
			}
		}
		return false
	})
	return problems
}

// TestRedeclaredTablesDetects checks the guard itself on the literals rules used to carry.
func TestRedeclaredTablesDetects(t *testing.T) {
	members := tableMembers()
	for _, src := range []string{
		`known := {"PreSync", "Sync", "PostSync", "SyncFail", "Skip", "PostDelete", "PreDelete"}`,
		`phase_order := {"PreSync": -1, "Sync": 0, "PostSync": 1, "SyncFail": 2}`,
		`default version := {"major": 3, "minor": 6, "patch": 0, "string": "3.6"}`,
		`helm_to_argocd := {"hook-succeeded": "HookSucceeded", "hook-failed": "HookFailed"}`,
		`app_level := ["CreateNamespace", "ApplyOutOfSyncOnly"]`,
	} {
		mod, err := ast.ParseModuleWithOpts("x.rego", "package x\n"+src+"\n", ast.ParserOptions{RegoVersion: ast.RegoV1})
		if err != nil {
			t.Fatal(err)
		}
		if len(redeclaredTables(mod, members)) == 0 {
			t.Errorf("guard misses a copied table: %s", src)
		}
	}
	ok := "package x\nx if { \"Skip\" in input.types }\ny := [\"a\", \"PreSync\"]\n"
	mod, err := ast.ParseModuleWithOpts("x.rego", ok, ast.ParserOptions{RegoVersion: ast.RegoV1})
	if err != nil {
		t.Fatal(err)
	}
	if p := redeclaredTables(mod, members); len(p) != 0 {
		t.Errorf("guard flags single values: %v", p)
	}
}
