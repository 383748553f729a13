//go:build !sidecar

package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wavecheck/wavecheck/test/golden"
)

// repoDir is the repository root, from this package.
const repoDir = "../../../.."

// docFiles are the documents whose wavecheck command lines and sample outputs are checked.
func docFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(repoDir, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	return append([]string{filepath.Join(repoDir, "README.md")}, files...)
}

// commandLines returns the wavecheck command lines of a Markdown document, as arguments
// after the program name: in fenced blocks, every line (a line ending in \ joined with the
// next, comments dropped) where wavecheck is the command word, at the start or after $, |, &&,
// ;, go run or an environment assignment; outside them, inline code spans that start with it.
func commandLines(doc string) [][]string {
	var out [][]string
	inFence := false
	pending := ""
	for _, line := range strings.Split(doc, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			inFence = !inFence
			continue
		}
		if inFence {
			if l, ok := strings.CutSuffix(line, "\\"); ok {
				pending += l + " "
				continue
			}
			line, pending = pending+line, ""
			if i := strings.Index(line, " #"); i >= 0 {
				line = line[:i]
			}
			if strings.HasPrefix(strings.TrimSpace(line), "#") {
				continue
			}
			toks := strings.Fields(line)
			for i, tok := range toks {
				if !isWavecheck(tok) {
					continue
				}
				if i > 0 {
					prev := toks[i-1]
					if !slices.Contains([]string{"$", "|", "&&", ";", "run"}, prev) && !strings.Contains(prev, "=") {
						continue
					}
				}
				out = append(out, untilOperator(toks[i+1:]))
			}
			continue
		}
		parts := strings.Split(line, "`")
		for i := 1; i < len(parts); i += 2 {
			toks := strings.Fields(parts[i])
			if len(toks) > 3 && toks[0] == "go" && toks[1] == "run" {
				toks = toks[2:]
			}
			if len(toks) > 1 && isWavecheck(toks[0]) {
				out = append(out, untilOperator(toks[1:]))
			}
		}
	}
	return out
}

func isWavecheck(tok string) bool {
	return tok == "wavecheck" || strings.HasSuffix(tok, "/cmd/wavecheck")
}

// untilOperator returns the arguments before a shell operator, unquoted.
func untilOperator(toks []string) []string {
	var args []string
	for _, t := range toks {
		if slices.Contains([]string{"|", ">", ">>", "&&", ";", "2>&1"}, t) || strings.HasPrefix(t, ">") {
			break
		}
		args = append(args, strings.Trim(t, `"'`))
	}
	return args
}

// TestDocsCommandLines parses every wavecheck command line of the README and docs/*.md with
// the real command tree: a subcommand or flag the binary does not have fails the test (issue
// 14: docs/policy.md showed verify --policy, an unknown flag).
func TestDocsCommandLines(t *testing.T) {
	n := 0
	for _, file := range docFiles(t) {
		doc, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, args := range commandLines(string(doc)) {
			if len(args) == 0 {
				continue
			}
			line := "wavecheck " + strings.Join(args, " ")
			root := newRoot(&globals{})
			cmd, rest, err := root.Find(args)
			if err == nil && cmd == root && strings.HasPrefix(args[0], "-") {
				// A root flag such as --version (cobra adds it when the command runs).
				root.InitDefaultVersionFlag()
				root.InitDefaultHelpFlag()
				if err := root.ParseFlags(args); err != nil {
					t.Errorf("%s: %q: %v", filepath.Base(file), line, err)
				}
				n++
				continue
			}
			if err != nil || cmd == root {
				t.Errorf("%s: %q: unknown command %q", filepath.Base(file), line, args[0])
				continue
			}
			if err := cmd.ParseFlags(rest); err != nil {
				t.Errorf("%s: %q: %v", filepath.Base(file), line, err)
			}
			t.Logf("%s: %s", filepath.Base(file), line)
			n++
		}
	}
	if n < 15 {
		t.Errorf("only %d command lines found in the docs: is the extraction broken?", n)
	}
}

// sampleBlock is a README code block that starts with "$ wavecheck ARGS" and holds the output.
var sampleBlock = regexp.MustCompile("(?m)^```\\n\\$ wavecheck ([^\\n]*)\\n((?:[^`][^\\n]*\\n|\\n)*?)```\\n")

// TestReadmeSamples runs each README sample ("$ wavecheck ..." and its output) and fails when
// the binary prints something else; go test -update rewrites the samples. It also checks the
// rule count the README states.
func TestReadmeSamples(t *testing.T) {
	abs, err := filepath.Abs(repoDir)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(abs, "README.md")
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// The samples name paths relative to the repository root.
	t.Chdir(abs)
	samples := 0
	updated := sampleBlock.ReplaceAllStringFunc(string(doc), func(block string) string {
		m := sampleBlock.FindStringSubmatch(block)
		var out, errb bytes.Buffer
		code := RunIO(context.Background(), strings.Fields(m[1]), strings.NewReader(""), &out, &errb)
		if code == ExitFailure {
			t.Errorf("$ wavecheck %s: exit %d: %s", m[1], code, errb.String())
			return block
		}
		samples++
		if diff := cmp.Diff(m[2], out.String()); diff != "" && !*golden.Update {
			t.Errorf("README sample `wavecheck %s` differs from the binary's output (refresh with go test -update; -readme +binary):\n%s", m[1], diff)
		}
		return "```\n$ wavecheck " + m[1] + "\n" + out.String() + "```\n"
	})
	if samples < 2 {
		t.Errorf("found %d README samples, want the validate and replay samples", samples)
	}
	rules := len(builtinRuleList(t))
	count := regexp.MustCompile(`(\d+) built-in rules`)
	updated = count.ReplaceAllStringFunc(updated, func(s string) string {
		if got, _ := strconv.Atoi(count.FindStringSubmatch(s)[1]); got != rules && !*golden.Update {
			t.Errorf("README states %d built-in rules, the binary has %d (refresh with go test -update)", got, rules)
		}
		return strconv.Itoa(rules) + " built-in rules"
	})
	// The Rego part of that count: one rule per policy/rules/*.rego besides lib.rego and tests.
	files, err := filepath.Glob(filepath.Join(abs, "policy", "rules", "*.rego"))
	if err != nil {
		t.Fatal(err)
	}
	regoRules := 0
	for _, f := range files {
		if b := filepath.Base(f); b != "lib.rego" && !strings.HasSuffix(b, "_test.rego") {
			regoRules++
		}
	}
	regoCount := regexp.MustCompile(`(\d+) Rego rules in policy/rules`)
	if m := regoCount.FindStringSubmatch(updated); m == nil {
		t.Error("README does not state how many Rego rules policy/rules holds")
	}
	updated = regoCount.ReplaceAllStringFunc(updated, func(s string) string {
		if got, _ := strconv.Atoi(regoCount.FindStringSubmatch(s)[1]); got != regoRules && !*golden.Update {
			t.Errorf("README states %d Rego rules in policy/rules, there are %d (refresh with go test -update)", got, regoRules)
		}
		return strconv.Itoa(regoRules) + " Rego rules in policy/rules"
	})
	if *golden.Update && updated != string(doc) {
		if err := os.WriteFile(path, []byte(updated), 0o644); err != nil { //nolint:gosec // the README, as checked in
			t.Fatal(err)
		}
	}
}
