package policy_test

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/wavecheck/wavecheck/internal/pipeline"
	"github.com/wavecheck/wavecheck/policy"
)

// e2eDir holds one directory per built-in rule: bad/ (the rule must fire) and good/ (it must
// not), plus an optional flags file (e.g. --argocd-version=2.14, one flag a line) that
// applies to both. The CLI end-to-end tests reuse these directories.
const e2eDir = "testdata/e2e"

// e2eFlags reads <rule>/flags into engine options.
func e2eFlags(t *testing.T, dir string) policy.Options {
	t.Helper()
	var opts policy.Options
	data, err := os.ReadFile(filepath.Join(dir, "flags"))
	if os.IsNotExist(err) {
		return opts
	}
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		name, value, _ := strings.Cut(line, "=")
		switch name {
		case "--argocd-version":
			opts.ArgoCDVersion = value
		default:
			t.Fatalf("%s/flags: unsupported flag %q", dir, line)
		}
	}
	return opts
}

func lint(t *testing.T, dir string, opts policy.Options) *policy.Result {
	t.Helper()
	ctx := context.Background()
	// The pipeline's determinism check (a second render of Helm charts) feeds
	// render-not-deterministic, as validate does by default.
	p := pipeline.Start(ctx, pipeline.Options{CheckDeterminism: true})
	defer p.Close()
	r, err := p.Render(ctx, dir)
	if err != nil {
		t.Fatalf("render %s: %v", dir, err)
	}
	e, err := policy.New(ctx, opts)
	if err != nil {
		t.Fatalf("policy.New: %v", err)
	}
	res, err := e.Evaluate(ctx, r.Objects)
	if err != nil {
		t.Fatalf("evaluate %s: %v", dir, err)
	}
	return res
}

func rulesFired(res *policy.Result) []string {
	var ids []string
	for _, f := range res.Findings {
		if !slices.Contains(ids, f.Rule) {
			ids = append(ids, f.Rule)
		}
	}
	return ids
}

func TestRulesEndToEnd(t *testing.T) {
	e, err := policy.New(context.Background(), policy.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range e.Rules() {
		t.Run(r.ID, func(t *testing.T) {
			dir := filepath.Join(e2eDir, r.ID)
			opts := e2eFlags(t, dir)
			for _, sub := range []string{"bad", "good"} {
				if _, err := os.Stat(filepath.Join(dir, sub)); err != nil {
					t.Fatalf("rule %s has no end-to-end case %s/%s: %v", r.ID, dir, sub, err)
				}
			}
			bad := lint(t, filepath.Join(dir, "bad"), opts)
			var hit *policy.Finding
			for i, f := range bad.Findings {
				if f.Rule == r.ID {
					hit = &bad.Findings[i]
				}
			}
			if hit == nil {
				t.Errorf("%s/bad: rule %s did not fire (fired: %v)", dir, r.ID, rulesFired(bad))
			} else {
				if hit.Severity != r.Severity || hit.Hint != r.Hint || hit.Message == "" {
					t.Errorf("%s/bad: finding %+v does not carry the rule's severity %s and hint", dir, *hit, r.Severity)
				}
				if _, err := os.Stat(filepath.Join(dir, "bad", "Chart.yaml")); err == nil {
					if !strings.Contains(hit.File, "bad/templates/") {
						t.Errorf("%s/bad: finding location %s, want a template of bad/templates", dir, hit.File)
					}
				} else if !strings.HasSuffix(hit.File, "bad/manifests.yaml") || hit.Line < 1 {
					t.Errorf("%s/bad: finding location %s:%d, want bad/manifests.yaml with a line", dir, hit.File, hit.Line)
				}
			}
			good := lint(t, filepath.Join(dir, "good"), opts)
			if slices.Contains(rulesFired(good), r.ID) {
				t.Errorf("%s/good: rule %s fired: %+v", dir, r.ID, good.Findings)
			}
		})
	}
	// Every case directory belongs to a rule (no stale directories).
	ents, err := os.ReadDir(e2eDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, ent := range ents {
		if !slices.ContainsFunc(e.Rules(), func(r policy.Rule) bool { return r.ID == ent.Name() }) {
			t.Errorf("%s/%s has no matching rule", e2eDir, ent.Name())
		}
	}
}

// TestCorpusNoFalseErrors lints the Argo CD example apps (copied from argoproj/argocd-example-apps):
// they sync correctly, so no rule may report an error on them.
func TestCorpusNoFalseErrors(t *testing.T) {
	for _, app := range []string{"guestbook", "helm-guestbook", "helm-hooks", "kustomize-guestbook", "pre-post-sync", "sync-waves"} {
		t.Run(app, func(t *testing.T) {
			res := lint(t, filepath.Join("testdata", "corpus", "argocd-example-apps", app), policy.Options{})
			if res.Objects == 0 {
				t.Fatalf("%s rendered no objects", app)
			}
			for _, f := range res.Findings {
				if f.Severity == policy.SeverityError {
					t.Errorf("false error on %s: %s %s:%d %s: %s", app, f.Rule, f.File, f.Line, f.Object, f.Message)
				} else {
					t.Logf("%s %s %s: %s", f.Severity, f.Rule, f.Object, f.Message)
				}
			}
		})
	}
}

// TestDeleteHookCombinedVersions checks the version gate of delete-hook-combined on one app:
// Argo CD up to 3.3.2 ignores deletion types in lists, 3.3.3 and 3.3.4 read them but keep the
// hooks out of syncs, and 3.3.5 and later (the default, latest) run them as listed. Regression:
// validate reported errors on "PreDelete,PostDelete", which Argo CD 3.6 runs as both.
func TestDeleteHookCombinedVersions(t *testing.T) {
	dir := t.TempDir()
	app := `apiVersion: batch/v1
kind: Job
metadata:
  name: teardown
  annotations:
    argocd.argoproj.io/hook: "PreDelete,PostDelete"
---
apiVersion: batch/v1
kind: Job
metadata:
  name: report
  annotations:
    argocd.argoproj.io/hook: "PostSync, PostDelete"
`
	if err := os.WriteFile(filepath.Join(dir, "app.yaml"), []byte(app), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		version string
		want    []string
	}{
		{"3.3.2", []string{
			`Job/report: argocd.argoproj.io/hook "PostSync, PostDelete" is not exactly PostDelete: Argo CD 3.3.2 compares the whole value, so the object never runs when the Application is deleted (lists are read from 3.3.3)`,
			`Job/teardown: argocd.argoproj.io/hook "PreDelete,PostDelete" is not exactly PostDelete: Argo CD 3.3.2 compares the whole value, so the object never runs when the Application is deleted (lists are read from 3.3.3)`,
			`Job/teardown: argocd.argoproj.io/hook "PreDelete,PostDelete" is not exactly PreDelete: Argo CD 3.3.2 compares the whole value, so the object never runs when the Application is deleted (lists are read from 3.3.3)`,
		}},
		{"3.3.4", []string{
			"Job/report: PostDelete hook is also a PostSync hook: Argo CD 3.3.4 keeps deletion hooks out of syncs, so it never runs in PostSync (kept from 3.3.5)",
		}},
		{"3.3.5", nil},
		{"", nil}, // latest
	}
	for _, tc := range tests {
		t.Run("v"+tc.version, func(t *testing.T) {
			res := lint(t, dir, policy.Options{ArgoCDVersion: tc.version})
			var got []string
			for _, f := range res.Findings {
				if f.Rule == "delete-hook-combined" {
					got = append(got, f.Object.Kind+"/"+f.Object.Name+": "+f.Message)
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.want) {
				t.Errorf("findings:\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}
