package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/wavecheck/wavecheck/internal/atomicfile"
	"github.com/wavecheck/wavecheck/plugin/render"
	"github.com/wavecheck/wavecheck/policy"
)

// The lint cache. Argo CD regenerates an app on every hard refresh, on every new commit of its
// repository (whether or not the app changed) and whenever its manifest cache expires, so most
// runs of `generate` lint objects that an earlier run of the same sidecar linted already.
// Linting is a pure function of the rendered objects, the Application, the policy options and
// the policy files (the sandbox allows only pure built-ins: policy/sandbox.go), so its outcome
// is stored under a digest of all of them and reused: the run then compiles and evaluates no
// Rego at all. Only complete, successful outcomes are stored; the cache is a folder of the
// sidecar (outside the repository), each entry written atomically.

// lintCacheVersion changes when the entry format or the key's inputs change.
const lintCacheVersion = "wavecheck lint cache v1"

// lintCacheEntry is what an entry holds: a Lint without the repository policy folder, since
// apps with repository policies are not cached (their folder is a fresh checkout every time).
type lintCacheEntry struct {
	Findings   []policy.Finding    `json:"findings"`
	Suppressed []policy.Suppressed `json:"suppressed"`
	Rules      []policy.Rule       `json:"rules"`
}

// cachedLint returns the cached outcome of linting res for app, or runs lint and stores its
// outcome. Anything that keeps the key from being computed (a policy source given as a file
// system, repository policies, an unreadable policy file) runs lint uncached.
func (p *Pipeline) cachedLint(ctx context.Context, res *render.Result, app *policy.App, lint func() (*Lint, error)) (*Lint, error) {
	key, err := lintKey(p.opts, res, app)
	if err != nil {
		slog.Debug("lint cache not used", "reason", err.Error())
		return lint()
	}
	file := filepath.Join(p.opts.LintCacheDir, key[:2], key+".json")
	if data, err := os.ReadFile(file); err == nil { //nolint:gosec // G304: an entry of wavecheck's own cache
		var e lintCacheEntry
		if err := json.Unmarshal(data, &e); err == nil {
			slog.Debug("lint cache hit", "entry", file)
			now := time.Now()
			_ = os.Chtimes(file, now, now) // recently used: kept by pruneShard
			return &Lint{Findings: e.Findings, Suppressed: e.Suppressed, Rules: e.Rules}, nil
		}
	}
	out, err := lint()
	if err != nil || ctx.Err() != nil {
		return out, err
	}
	data, err := json.Marshal(lintCacheEntry{Findings: out.Findings, Suppressed: out.Suppressed, Rules: out.Rules})
	if err == nil {
		err = atomicfile.Write(file, data, 0o700)
	}
	if err == nil {
		err = pruneShard(filepath.Dir(file))
	}
	if err != nil {
		// The cache is an optimisation: a full disk or a read-only folder costs speed only.
		slog.Debug("lint cache not written", "entry", file, "error", err.Error())
	}
	return out, nil
}

// lintKey digests everything a lint outcome depends on. Tests pin the list of policy.Options
// fields it covers (TestLintKeyCoversOptions), so that a new option cannot be left out.
func lintKey(opts Options, res *render.Result, app *policy.App) (string, error) {
	po := opts.Policy
	if len(po.Policies) > 0 {
		return "", errors.New("policies given as file systems")
	}
	if opts.RepoPolicies {
		if st, err := os.Stat(filepath.Join(res.RepoRoot, RepoPolicyDir)); err == nil && st.IsDir() {
			return "", errors.New("the repository has its own policies")
		}
	}
	h := sha256.New()
	field := func(name string, v any) error {
		b, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		_, _ = fmt.Fprintf(h, "%s %d\n", name, len(b))
		_, _ = h.Write(b)
		return nil
	}
	// This very executable: its built-in rules and the Go code evaluating them.
	exe, err := os.Executable()
	if err != nil {
		return "", err
	}
	st, err := os.Stat(exe)
	if err != nil {
		return "", err
	}
	for _, f := range []struct {
		name string
		v    any
	}{
		{"version", lintCacheVersion},
		{"executable", []string{exe, strconv.FormatInt(st.Size(), 10), strconv.FormatInt(st.ModTime().UnixNano(), 10)}},
		{"policyDirs", po.PolicyDirs},
		{"dataFiles", po.DataFiles},
		{"namespaces", po.Namespaces},
		{"allNamespaces", po.AllNamespaces},
		{"ignore", po.Ignore},
		{"noIgnoreAnnotation", po.NoIgnoreAnnotation},
		{"argocdVersion", po.ArgoCDVersion},
		{"trackingMethod", po.TrackingMethod},
		{"namespace", po.Namespace},
		{"noBuiltin", po.NoBuiltin},
		{"severity", po.Severity}, // encoding/json sorts map keys
		{"regoVersion", po.RegoVersion},
		{"type", res.Type},
		{"application", app},
		{"objects", res.Objects},
	} {
		if err := field(f.name, f.v); err != nil {
			return "", err
		}
	}
	for _, dir := range po.PolicyDirs {
		if err := hashTree(h, dir); err != nil {
			return "", err
		}
	}
	for _, file := range po.DataFiles {
		if err := hashFile(h, file); err != nil {
			return "", err
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// hashTree adds every file under dir (names and contents, in lexical order) to h: a superset of
// what the policy loader reads, so that any change to an admin policy is a new key.
func hashTree(h hash.Hash, dir string) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		return hashFile(h, p)
	})
}

func hashFile(h hash.Hash, p string) error {
	f, err := os.Open(p) //nolint:gosec // G304: an admin policy or data file named by the sidecar's configuration
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }()
	_, _ = fmt.Fprintf(h, "file %q\n", p)
	_, err = io.Copy(h, f)
	return err
}

// lintCacheShardEntries bounds the cache: entries are spread over 256 folders by the first
// byte of their key, and a folder keeps its most recently used entries only, so the cache
// holds at most 256 x lintCacheShardEntries entries (an entry is the findings of one app).
const lintCacheShardEntries = 32

// pruneShard removes the least recently used entries of a cache folder beyond
// lintCacheShardEntries (and temporary files a killed process left).
func pruneShard(dir string) error {
	des, err := os.ReadDir(dir)
	if err != nil || len(des) <= lintCacheShardEntries {
		return err
	}
	type entry struct {
		name string
		used time.Time
	}
	var es []entry
	for _, de := range des {
		info, err := de.Info()
		if err != nil {
			continue
		}
		es = append(es, entry{de.Name(), info.ModTime()})
	}
	slices.SortFunc(es, func(a, b entry) int { return b.used.Compare(a.used) })
	var errs []error
	for _, e := range es[min(lintCacheShardEntries, len(es)):] {
		if err := os.Remove(filepath.Join(dir, e.name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
