package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"
)

// hook is an entry of .pre-commit-hooks.yaml.
type hook struct {
	ID            string `json:"id"`
	Name          string `json:"name"`
	Description   string `json:"description"`
	Entry         string `json:"entry"`
	Language      string `json:"language"`
	PassFilenames *bool  `json:"pass_filenames"`
	Files         string `json:"files"`
	RequireSerial bool   `json:"require_serial"`
}

// TestPreCommitHooks runs the hooks with the real pre-commit (Debian's package) in a scratch git
// repository: a bad app fails wavecheck-validate, a good one passes, and wavecheck-verify runs
// the policy tests. The -system hooks run the host binary on PATH; the golang hooks (which build
// wavecheck with `go install ./...`, minutes cold) must be the same hooks but for the language.
func TestPreCommitHooks(t *testing.T) {
	raw, err := os.ReadFile("../../.pre-commit-hooks.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var hooks []hook
	if err := yaml.UnmarshalStrict(raw, &hooks); err != nil {
		t.Fatal(err)
	}
	byID := map[string]hook{}
	for _, h := range hooks {
		byID[h.ID] = h
	}
	for _, id := range []string{"wavecheck-validate", "wavecheck-verify"} {
		g, s := byID[id], byID[id+"-system"]
		if g.Language != "golang" || s.Language != "system" || g.PassFilenames == nil || *g.PassFilenames {
			t.Errorf("%s: language %q/%q, pass_filenames %v", id, g.Language, s.Language, g.PassFilenames)
		}
		g.ID, g.Language, g.Description = s.ID, s.Language, s.Description
		if diff := cmp.Diff(g, s); diff != "" {
			t.Errorf("%s and %s-system differ (-golang +system):\n%s", id, id, diff)
		}
	}

	preCommit, err := exec.LookPath("pre-commit")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("pre-commit not installed (apt-get install -y pre-commit; .ci/run installs it)")
		}
		t.Skip("pre-commit not installed (apt-get install -y pre-commit)")
	}
	binDir := t.TempDir()
	if err := os.Symlink(hostBinary, filepath.Join(binDir, "wavecheck")); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "PATH="+binDir+string(os.PathListSeparator)+os.Getenv("PATH"),
		"PRE_COMMIT_HOME="+t.TempDir(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
	git := func(dir string, args ...string) string {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir, cmd.Env = dir, env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	// The hook repository: this repository's .pre-commit-hooks.yaml, committed.
	hookRepo := t.TempDir()
	git(hookRepo, "init", "-q")
	writeFiles(t, hookRepo, map[string]string{".pre-commit-hooks.yaml": string(raw)})
	git(hookRepo, "add", "-A")
	git(hookRepo, "commit", "-qm", "hooks")
	rev := git(hookRepo, "rev-parse", "HEAD")

	policy := map[string]string{
		"policy/labels.rego":      "package main\n\nimport rego.v1\n\ndeny contains msg if {\n\tinput.kind == \"Job\"\n\tnot input.metadata.labels.team\n\tmsg := \"Jobs need a team label\"\n}\n",
		"policy/labels_test.rego": "package main\n\nimport rego.v1\n\ntest_job_without_team if {\n\tcount(deny) == 1 with input as {\"kind\": \"Job\", \"metadata\": {}}\n}\n",
	}
	tests := []struct {
		name  string
		files map[string]string
		ok    bool
		want  string
	}{
		{"good app", map[string]string{"apps/app/cm.yaml": goodApp["cm.yaml"]}, true, "wavecheck validate"},
		{"bad app", map[string]string{"apps/app/hooks.yaml": badApp["hooks.yaml"]}, false, "hook-unknown-type"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			repo := t.TempDir()
			git(repo, "init", "-q")
			cfg := "repos:\n- repo: " + hookRepo + "\n  rev: " + rev + "\n  hooks:\n  - id: wavecheck-validate-system\n    args: [apps/app]\n  - id: wavecheck-verify-system\n    args: [policy/]\n"
			files := map[string]string{".pre-commit-config.yaml": cfg}
			for k, v := range policy {
				files[k] = v
			}
			for k, v := range tc.files {
				files[k] = v
			}
			writeFiles(t, repo, files)
			git(repo, "add", "-A")
			cmd := exec.Command(preCommit, "run", "--all-files", "--color", "never")
			cmd.Dir, cmd.Env = repo, env
			out, err := cmd.CombinedOutput()
			if (err == nil) != tc.ok || !strings.Contains(string(out), tc.want) {
				t.Errorf("pre-commit run: %v (want ok=%v, output with %q):\n%s", err, tc.ok, tc.want, out)
			}
			// verify passes in both repositories: its line must say Passed.
			if !regexpPassed(string(out), "wavecheck verify") {
				t.Errorf("wavecheck verify did not pass:\n%s", out)
			}
		})
	}
}

// regexpPassed reports whether pre-commit's line for the hook named name says Passed.
func regexpPassed(out, name string) bool {
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, name+".") && strings.HasSuffix(strings.TrimSpace(l), "Passed") {
			return true
		}
	}
	return false
}
