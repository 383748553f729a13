package policy

import (
	"context"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var ruleID = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)

// TestRuleMetadata fails when a built-in rule lacks a documentation field.
func TestRuleMetadata(t *testing.T) {
	e, err := New(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(e.Rules()) < 25 {
		t.Errorf("only %d built-in rules", len(e.Rules()))
	}
	for _, r := range e.Rules() {
		if !ruleID.MatchString(r.ID) {
			t.Errorf("rule id %q is not kebab-case", r.ID)
		}
		for field, v := range map[string]string{"title": r.Title, "description": r.Description, "hint": r.Hint, "link": r.Link, "severity": string(r.Severity)} {
			if strings.TrimSpace(v) == "" {
				t.Errorf("rule %s has no %s in its METADATA", r.ID, field)
			}
		}
		if !strings.HasPrefix(r.Link, "https://") {
			t.Errorf("rule %s link %q is not an https URL", r.ID, r.Link)
		}
		if strings.Contains(r.Hint, "\n") {
			t.Errorf("rule %s hint is not one line", r.ID)
		}
	}
}

// TestRulesDocUpToDate fails when docs/rules.md is stale: run `go generate ./policy`.
func TestRulesDocUpToDate(t *testing.T) {
	want, err := RulesDoc(context.Background(), "testdata/e2e")
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("../docs/rules.md")
	if err != nil {
		t.Fatalf("read docs/rules.md (run go generate ./policy): %v", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("docs/rules.md is stale, run `go generate ./policy` (-want +got):\n%s", diff)
	}
}
