package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/wavecheck/wavecheck/internal/testfs"
	"github.com/wavecheck/wavecheck/policy"
)

// TestLintKeyCoversOptions: every field of policy.Options is either digested by lintKey or
// left out for a stated reason (lintCacheOptionFields). A new option fails here until it is
// placed, so that no option can change findings without changing the key.
func TestLintKeyCoversOptions(t *testing.T) {
	placed := []string{
		// digested
		"PolicyDirs", "DataFiles", "Namespaces", "AllNamespaces", "Ignore", "NoIgnoreAnnotation",
		"ArgoCDVersion", "TrackingMethod", "Namespace", "NoBuiltin", "Severity", "RegoVersion",
		// left out: Policies (file systems: never cached), Timeout (a limit: a timed-out
		// evaluation fails and is not stored), eager (the same outcome either way)
		"Policies", "Timeout", "eager",
	}
	ty := reflect.TypeFor[policy.Options]()
	var fields []string
	for i := range ty.NumField() {
		fields = append(fields, ty.Field(i).Name)
	}
	slices.Sort(fields)
	slices.Sort(placed)
	if diff := cmp.Diff(placed, fields); diff != "" {
		t.Errorf("policy.Options fields not placed in lintKey (-placed +fields):\n%s", diff)
	}
}

// TestLintCache: a second lint of the same app is served from the cache (an entry doctored on
// disk comes back), and equals the uncached outcome; every input of the outcome changes the
// key; what cannot be keyed is never cached; a damaged entry is recomputed.
func TestLintCache(t *testing.T) {
	ctx := context.Background()
	const hook = "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: migrate\n  annotations:\n    argocd.argoproj.io/hook: PreSync\n    argocd.argoproj.io/hook-delete-policy: Bogus\n"
	root := testfs.Tree(t, map[string]string{
		".git/HEAD":          "ref: refs/heads/main\n",
		"apps/web/cm.yaml":   badCM,
		"apps/web/job.yaml":  hook,
		"apps/other/cm.yaml": badCM + "data:\n  x: \"1\"\n",
		"admin/team.rego":    "package main\n\nwarn_team contains msg if {\n\tinput.kind == \"ConfigMap\"\n\tmsg := \"admin: no team label\"\n}\n",
	})
	cache := t.TempDir()
	entries := func() []string {
		t.Helper()
		m, err := filepath.Glob(filepath.Join(cache, "*", "*.json"))
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	lint := func(dir string, opts Options, app *policy.App) *Lint {
		t.Helper()
		opts.Lint = true
		p := Start(ctx, opts)
		defer p.Close()
		res, err := p.Render(ctx, filepath.Join(root, dir))
		if err != nil {
			t.Fatal(err)
		}
		l, err := p.LintApp(ctx, res, app)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	base := Options{LintCacheDir: cache, Policy: policy.Options{PolicyDirs: []string{filepath.Join(root, "admin")}}}

	uncached := lint("apps/web", Options{Policy: base.Policy}, nil)
	first := lint("apps/web", base, nil)
	if diff := cmp.Diff(uncached, first); diff != "" {
		t.Fatalf("first (cached) lint differs from the uncached one (-uncached +cached):\n%s", diff)
	}
	if len(first.Findings) < 3 {
		t.Fatalf("want the admin rule, sync-wave-not-integer and hook-delete-policy-unknown, got %+v", first.Findings)
	}
	got := entries()
	if len(got) != 1 {
		t.Fatalf("cache entries after one lint: %v", got)
	}
	second := lint("apps/web", base, nil)
	if diff := cmp.Diff(first, second); diff != "" {
		t.Errorf("second lint differs from the first (-first +second):\n%s", diff)
	}
	if len(entries()) != 1 {
		t.Errorf("a second lint of the same app added an entry: %v", entries())
	}

	// Served from the cache: a doctored entry comes back as it is.
	var e lintCacheEntry
	data, err := os.ReadFile(got[0])
	if err != nil || json.Unmarshal(data, &e) != nil {
		t.Fatalf("read entry: %v", err)
	}
	e.Findings = e.Findings[:1]
	doctored, _ := json.Marshal(e)
	if err := os.WriteFile(got[0], doctored, 0o600); err != nil {
		t.Fatal(err)
	}
	if l := lint("apps/web", base, nil); len(l.Findings) != 1 {
		t.Errorf("the cached entry was not used: %d findings", len(l.Findings))
	}
	// A damaged entry is recomputed and rewritten.
	if err := os.WriteFile(got[0], []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if l := lint("apps/web", base, nil); !cmp.Equal(l, first) {
		t.Errorf("after a damaged entry: %+v", l.Findings)
	}
	if data, _ := os.ReadFile(got[0]); !json.Valid(data) {
		t.Errorf("damaged entry not rewritten: %q", data)
	}

	// Every input changes the key: the outcome is recomputed (one more entry each).
	n := len(entries())
	for _, tc := range []struct {
		name string
		dir  string
		opts func(o *Options)
		app  *policy.App
	}{
		{name: "other objects", dir: "apps/other"},
		{name: "ignore list", opts: func(o *Options) { o.Policy.Ignore = []string{"sync-wave-not-integer"} }},
		{name: "severity", opts: func(o *Options) {
			o.Policy.Severity = map[string]policy.Severity{"sync-wave-not-integer": policy.SeverityError}
		}},
		{name: "Argo CD version", opts: func(o *Options) { o.Policy.ArgoCDVersion = "v2.14" }},
		{name: "namespace", opts: func(o *Options) { o.Policy.Namespace = "prod" }},
		{name: "application", app: &policy.App{Namespace: "prod", SyncOptions: []string{"PruneLast=true"}}},
		{name: "admin policy content", opts: func(*Options) {
			mustWrite(t, filepath.Join(root, "admin", "team.rego"), "package main\n\nwarn_team contains msg if {\n\tinput.kind == \"ConfigMap\"\n\tmsg := \"admin: changed\"\n}\n")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := base
			o.Policy.Ignore = slices.Clone(base.Policy.Ignore)
			if tc.opts != nil {
				tc.opts(&o)
			}
			dir := tc.dir
			if dir == "" {
				dir = "apps/web"
			}
			cached := lint(dir, o, tc.app)
			o.LintCacheDir = ""
			if want := lint(dir, o, tc.app); !cmp.Equal(want, cached) {
				t.Errorf("cached outcome differs from the uncached one:\n%s", cmp.Diff(want, cached))
			}
			n++
			if got := len(entries()); got != n {
				t.Errorf("%d entries, want %d: the key did not change", got, n)
			}
		})
	}

	// Not cached: repository policies (their folder is a fresh checkout for every request).
	mustWrite(t, filepath.Join(root, RepoPolicyDir, "x.rego"), "package main\n\nwarn_repo contains msg if {\n\tinput.kind == \"ConfigMap\"\n\tmsg := \"repo: hello\"\n}\n")
	o := base
	o.RepoPolicies = true
	lint("apps/web", o, nil)
	if got := len(entries()); got != n {
		t.Errorf("an app with repository policies was cached: %d entries, want %d", got, n)
	}
}

// TestLintCachePrune: a cache folder keeps its lintCacheShardEntries most recently used
// entries; a hit counts as a use.
func TestLintCachePrune(t *testing.T) {
	dir := t.TempDir()
	base := time.Now().Add(-time.Hour)
	n := lintCacheShardEntries + 8
	for i := range n {
		p := filepath.Join(dir, fmt.Sprintf("%02d.json", i))
		mustWrite(t, p, "{}")
		// Entry i was last used i minutes after base, except entry 0, used last of all.
		used := base.Add(time.Duration(i) * time.Minute)
		if i == 0 {
			used = base.Add(time.Duration(n) * time.Minute)
		}
		if err := os.Chtimes(p, used, used); err != nil {
			t.Fatal(err)
		}
	}
	if err := pruneShard(dir); err != nil {
		t.Fatal(err)
	}
	des, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var kept []string
	for _, de := range des {
		kept = append(kept, de.Name())
	}
	want := []string{"00.json"}
	for i := n - lintCacheShardEntries + 1; i < n; i++ {
		want = append(want, fmt.Sprintf("%02d.json", i))
	}
	if diff := cmp.Diff(want, kept); diff != "" {
		t.Errorf("kept entries (-want +got):\n%s", diff)
	}
}
