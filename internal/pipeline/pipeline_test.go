package pipeline

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/wavecheck/wavecheck/internal/testfs"
	"github.com/wavecheck/wavecheck/policy"
)

const badCM = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n  annotations:\n    argocd.argoproj.io/sync-wave: \"1.5\"\n"

func TestRunRepositoryRelativeSources(t *testing.T) {
	root := testfs.Tree(t, map[string]string{
		".git/HEAD":                     "ref: refs/heads/main\n",
		"charts/shop/Chart.yaml":        "apiVersion: v2\nname: shop\nversion: 0.1.0\n",
		"charts/shop/templates/cm.yaml": badCM,
		"apps/web/cm.yaml":              badCM,
	})
	for _, tt := range []struct{ dir, want string }{
		{"charts/shop", "charts/shop/templates/cm.yaml"},
		{"apps/web", "apps/web/cm.yaml"},
	} {
		res, lint, err := Run(context.Background(), filepath.Join(root, tt.dir), Options{Lint: true})
		if err != nil {
			t.Fatal(err)
		}
		if got := res.Objects[0].Source.File; got != tt.want {
			t.Errorf("%s: source %q, want %q", tt.dir, got, tt.want)
		}
		if len(lint.Findings) != 1 || lint.Findings[0].File != tt.want {
			t.Errorf("%s: findings %+v, want one in %s", tt.dir, lint.Findings, tt.want)
		}
	}
}

// TestRepoPoliciesCannotExempt: the repository's policies run in their own engine, so their
// conftest exceptions cannot remove the admin's findings; they only add their own.
func TestRepoPoliciesCannotExempt(t *testing.T) {
	root := testfs.Tree(t, map[string]string{
		".git/HEAD":        "ref: refs/heads/main\n",
		"apps/web/cm.yaml": badCM,
		"admin/team.rego":  "package main\n\ndeny_team contains msg if {\n\tinput.kind == \"ConfigMap\"\n\tmsg := \"admin: no team label\"\n}\n",
		".wavecheck/x.rego": "package main\n\nexception contains rules if {\n\trules := [\"team\"]\n}\n\n" +
			"warn_repo contains msg if {\n\tinput.kind == \"ConfigMap\"\n\tmsg := \"repo: hello\"\n}\n",
	})
	opts := Options{Lint: true, RepoPolicies: true, Policy: policy.Options{PolicyDirs: []string{filepath.Join(root, "admin")}}}
	_, lint, err := Run(context.Background(), filepath.Join(root, "apps", "web"), opts)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range lint.Findings {
		got = append(got, f.Rule+": "+f.Message)
	}
	want := []string{
		"main.deny_team: admin: no team label",
		"sync-wave-not-integer: " + `sync-wave "1.5" is not an integer: Argo CD uses wave 0`,
		"main.warn_repo: repo: hello",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	if lint.RepoPolicyDir != filepath.Join(root, RepoPolicyDir) {
		t.Errorf("RepoPolicyDir = %q", lint.RepoPolicyDir)
	}
}

func TestLintWithoutLintOption(t *testing.T) {
	root := testfs.Tree(t, map[string]string{"cm.yaml": badCM})
	p := Start(context.Background(), Options{})
	defer p.Close()
	res, err := p.Render(context.Background(), root)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Lint(context.Background(), res); err == nil {
		t.Error("Lint of a pipeline started without linting succeeded")
	}
}

// TestRepoPoliciesBounded is the regression test of issue 13 item 4: the repository's
// policies are read only inside the repository (a symlink leaving it, for the folder or a
// file, is an error), only from regular files, and within the size limits.
func TestRepoPoliciesBounded(t *testing.T) {
	const warnRepo = "package main\n\nwarn_repo contains msg if {\n\tinput.kind == \"ConfigMap\"\n\tmsg := \"repo: hello\"\n}\n"
	outside := testfs.Tree(t, map[string]string{"p/x.rego": warnRepo})
	tests := []struct {
		name  string
		setup func(t *testing.T, root string)
		want  string // error substring; "" means the repo rule runs
	}{
		{name: "symlink inside the repository", setup: func(t *testing.T, root string) {
			mustWrite(t, filepath.Join(root, "policies", "x.rego"), warnRepo)
			mustSymlink(t, filepath.Join("..", "policies", "x.rego"), filepath.Join(root, RepoPolicyDir, "x.rego"))
		}},
		{name: "folder symlinked outside", setup: func(t *testing.T, root string) {
			mustSymlink(t, filepath.Join(outside, "p"), filepath.Join(root, RepoPolicyDir))
		}, want: "repository policies: read .wavecheck: statat .wavecheck: path escapes from parent (policies are read only inside the repository)"},
		{name: "file symlinked outside", setup: func(t *testing.T, root string) {
			mustSymlink(t, filepath.Join(outside, "p", "x.rego"), filepath.Join(root, RepoPolicyDir, "x.rego"))
		}, want: ".wavecheck/x.rego: statat .wavecheck/x.rego: path escapes from parent"},
		{name: "file over the size limit", setup: func(t *testing.T, root string) {
			mustWrite(t, filepath.Join(root, RepoPolicyDir, "big.rego"), warnRepo+"# "+strings.Repeat("x", RepoPolicyFileBytes)+"\n")
		}, want: "big.rego: at least 1048672 bytes: over the limit of 1048576 bytes per policy file"},
		{name: "fifo", setup: func(t *testing.T, root string) {
			if err := os.MkdirAll(filepath.Join(root, RepoPolicyDir), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := syscall.Mkfifo(filepath.Join(root, RepoPolicyDir, "pipe.rego"), 0o644); err != nil {
				t.Skip(err)
			}
		}, want: "pipe.rego: not a regular file (p---------)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := testfs.Tree(t, map[string]string{".git/HEAD": "ref: refs/heads/main\n", "apps/web/cm.yaml": badCM})
			tt.setup(t, root)
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			_, lint, err := Run(ctx, filepath.Join(root, "apps", "web"), Options{Lint: true, RepoPolicies: true})
			if tt.want != "" {
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("Run() error = %v, want it to contain %q", err, tt.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if n := len(lint.Findings); n != 2 || lint.Findings[1].Rule != "main.warn_repo" {
				t.Errorf("findings = %+v, want the built-in finding and main.warn_repo", lint.Findings)
			}
		})
	}
}

func mustWrite(t *testing.T, p, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func mustSymlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

// TestCloseDoesNotWait is the regression test of a lint cache hit with admin policies paying
// their compilation: Close stops the admin compilation instead of waiting for it, and the
// stopped compilation ends (with the cancellation or a linter nobody uses).
func TestCloseDoesNotWait(t *testing.T) {
	policyDir := testfs.Tree(t, map[string]string{"p.rego": "package main\n\ndeny contains \"x\" if { input.kind == \"Nope\" }\n"})
	p := Start(context.Background(), Options{Lint: true, Policy: policy.Options{PolicyDirs: []string{policyDir}}})
	p.Close()
	select {
	case <-p.admin.done:
	case <-time.After(time.Minute):
		t.Fatal("the stopped admin compilation did not end")
	}
	// It ends with the cancellation, or with a linter when it was past its last check.
	if _, err := p.admin.wait(); err != nil && !errors.Is(err, context.Canceled) && !strings.Contains(err.Error(), "cancel") {
		t.Fatalf("the stopped compilation failed with %v, want the cancellation or no error", err)
	}
	// A pipeline used before Close still lints.
	root := testfs.Tree(t, map[string]string{"cm.yaml": badCM})
	q := Start(context.Background(), Options{Lint: true, Policy: policy.Options{PolicyDirs: []string{policyDir}}})
	res, err := q.Render(context.Background(), root)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := q.Lint(context.Background(), res); err != nil {
		t.Fatal(err)
	}
	q.Close()
}
