package cli

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/wavecheck/wavecheck/policy"
	"github.com/wavecheck/wavecheck/policy/report"
)

// e2eDir holds the end-to-end cases of the built-in rules (written with the rules): in
// <rule-id>/bad the rule fires, <rule-id>/good is the corrected variant, and an optional
// <rule-id>/flags file gives extra flags.
const e2eDir = "../../../../policy/testdata/e2e"

// TestValidateRuleCases runs validate on every built-in rule's bad and good case: the rule
// fires on bad (with the exit status its severity implies) and stays silent on good.
func TestValidateRuleCases(t *testing.T) {
	for _, rule := range builtinRuleList(t) {
		t.Run(rule.ID, func(t *testing.T) {
			for _, variant := range []string{"bad", "good"} {
				dir := filepath.Join(e2eDir, rule.ID, variant)
				if _, err := os.Stat(dir); err != nil {
					t.Fatalf("no end-to-end case: %v", err)
				}
				rep, code := validateJSON(t, append([]string{dir}, e2eCaseArgs(t, filepath.Join(e2eDir, rule.ID))...)...)
				fired := slices.Contains(ruleIDs(rep.Findings), rule.ID)
				switch {
				case variant == "bad" && !fired:
					t.Errorf("%s: %s did not fire; findings: %v", dir, rule.ID, ruleIDs(rep.Findings))
				case variant == "good" && fired:
					t.Errorf("%s: %s fired on the corrected variant", dir, rule.ID)
				}
				if variant == "bad" && rule.Severity == policy.SeverityError && code != ExitFindings {
					t.Errorf("%s: exit %d, want %d for an error finding", dir, code, ExitFindings)
				}
				if wantCode := exitFor(rep); code != wantCode {
					t.Errorf("%s: exit %d, want %d for summary %+v", dir, code, wantCode, rep.Summary)
				}
			}
		})
	}
}

func exitFor(rep *report.Report) int {
	if rep.Summary.Errors > 0 {
		return ExitFindings
	}
	return ExitOK
}

// TestEveryRuleHasE2ECase fails when a built-in rule has no end-to-end case, or a case
// names no rule.
func TestEveryRuleHasE2ECase(t *testing.T) {
	var ids []string
	for _, r := range builtinRuleList(t) {
		ids = append(ids, r.ID)
		for _, v := range []string{"bad", "good"} {
			if st, err := os.Stat(filepath.Join(e2eDir, r.ID, v)); err != nil || !st.IsDir() {
				t.Errorf("rule %s has no end-to-end case %s/%s/%s", r.ID, e2eDir, r.ID, v)
			}
		}
	}
	entries, err := os.ReadDir(e2eDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() && !slices.Contains(ids, e.Name()) {
			t.Errorf("end-to-end case %s names no built-in rule", e.Name())
		}
	}
}

func ruleIDs(fs []policy.Finding) []string {
	var ids []string
	for _, f := range fs {
		if !slices.Contains(ids, f.Rule) {
			ids = append(ids, f.Rule)
		}
	}
	slices.Sort(ids)
	return ids
}

// e2eCaseArgs reads the optional "flags" file of a rule's e2e cases: extra validate flags
// (e.g. --argocd-version=2.14), one per line.
func e2eCaseArgs(t *testing.T, dir string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "flags"))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var args []string
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			args = append(args, l)
		}
	}
	return args
}

func builtinRuleList(t *testing.T) []policy.Rule {
	t.Helper()
	eng, err := policy.New(context.Background(), policy.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return eng.Rules()
}

// TestValidateDeleteHookList is the regression test of issue 10/11: validate reported two
// delete-hook-combined errors on argocd.argoproj.io/hook "PreDelete,PostDelete", which Argo CD
// 3.6 (the default target) reads as both types. Argo CD 3.6.1 runs the PostDelete part only
// when the Application has its post-delete finalizer, which such a hook does not set
// (controller/state.go partitionTargetObjsForSync): with another PostDelete hook in the app
// there is no finding; alone, one error says it runs before the deletion only. With
// --argocd-version 3.3.2, which compares the whole value, both types are reported ignored.
func TestValidateDeleteHookList(t *testing.T) {
	job := func(name, hook string) string {
		return "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: " + name + "\n  annotations:\n    argocd.argoproj.io/hook: \"" + hook + "\"\n" +
			"spec:\n  activeDeadlineSeconds: 60\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: c, image: busybox}]\n"
	}
	for _, tc := range []struct {
		name     string
		app      string
		args     []string
		wantCode int
		wantHits int
	}{
		{"with another PostDelete hook", job("teardown", "PreDelete,PostDelete") + "---\n" + job("cleanup", "PostDelete"), nil, ExitOK, 0},
		{"alone", job("teardown", "PreDelete,PostDelete"), nil, ExitFindings, 1},
		{"3.3.2", job("teardown", "PreDelete,PostDelete") + "---\n" + job("cleanup", "PostDelete"), []string{"--argocd-version", "3.3.2"}, ExitFindings, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "jobs.yaml"), []byte(tc.app), 0o644); err != nil {
				t.Fatal(err)
			}
			rep, code := validateJSON(t, append([]string{dir}, tc.args...)...)
			hits := 0
			for _, f := range rep.Findings {
				if f.Rule == "delete-hook-combined" {
					hits++
				}
			}
			if code != tc.wantCode || hits != tc.wantHits {
				t.Errorf("validate %v: exit %d with %d delete-hook-combined findings, want exit %d with %d; findings %+v", tc.args, code, hits, tc.wantCode, tc.wantHits, rep.Findings)
			}
		})
	}
}
