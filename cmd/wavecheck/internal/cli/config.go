package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/pflag"
	"sigs.k8s.io/yaml"

	"github.com/wavecheck/wavecheck/internal/argocd"
	"github.com/wavecheck/wavecheck/plugin/render"
	"github.com/wavecheck/wavecheck/policy"
)

// ConfigFile is the name of validate's configuration file, looked up in the app directory and
// its parents up to the repository root.
const ConfigFile = ".wavecheck.yaml"

// config is .wavecheck.yaml: validate's settings for the apps below it. A flag given on the
// command line replaces the file's value (lists too). Relative paths (policies, data, output
// files) are relative to the file's directory.
type config struct {
	// ArgoCDVersion is --argocd-version.
	ArgoCDVersion string `json:"argocdVersion,omitempty"`
	// TrackingMethod is --tracking-method.
	TrackingMethod string `json:"trackingMethod,omitempty"`
	// Ignore is --ignore: rule ids never reported.
	Ignore []string `json:"ignore,omitempty"`
	// FailOn is the least severe finding that fails the run: error (default) or warning
	// (--fail-on-warn).
	FailOn string `json:"failOn,omitempty"`
	// MinSeverity is --min-severity.
	MinSeverity string `json:"minSeverity,omitempty"`
	// Policies are --policy directories.
	Policies []string `json:"policies,omitempty"`
	// Data are --data files.
	Data []string `json:"data,omitempty"`
	// PolicyNamespaces are --policy-namespace packages.
	PolicyNamespaces []string `json:"policyNamespaces,omitempty"`
	// RegoVersion is --rego-version.
	RegoVersion string `json:"regoVersion,omitempty"`
	// Outputs are -o values: FORMAT (stdout) or FORMAT=FILE.
	Outputs []string `json:"outputs,omitempty"`
	// Severity is --severity: rule id to severity (e.g. application-wave-health: error).
	Severity map[string]string `json:"severity,omitempty"`

	// path is the file the configuration was read from ("" when none was found).
	path string
}

// configKeys lists the keys of .wavecheck.yaml, for error messages.
const configKeys = "argocdVersion, trackingMethod, ignore, failOn, minSeverity, policies, data, policyNamespaces, regoVersion, outputs, severity"

// findConfig returns the path of the .wavecheck.yaml nearest to dir (a directory, or a file
// whose directory counts), searching dir and its parents up to the repository root (the root
// every render is bounded by: --repo-root, else the nearest parent holding .git, else dir).
// It returns "" when there is none.
func findConfig(dir, repoRoot string) (string, error) {
	if st, err := os.Stat(dir); err == nil && !st.IsDir() {
		dir = filepath.Dir(dir)
	}
	root, err := render.RepoRoot(dir, repoRoot)
	if err != nil {
		return "", err
	}
	d, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return "", fmt.Errorf("find %s: %w", ConfigFile, err)
	}
	for {
		p := filepath.Join(d, ConfigFile)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		} else if !errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("find %s: %w", ConfigFile, err)
		}
		if d == root {
			return "", nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", nil
		}
		d = parent
	}
}

// loadConfig reads and checks a configuration file. Unknown keys are errors naming the file and
// the key.
func loadConfig(path string) (*config, error) {
	data, err := readFlagFile(ConfigFile, path, maxFlagFileBytes)
	if err != nil {
		return nil, err
	}
	var c config
	if len(bytes.TrimSpace(data)) > 0 {
		if err := yaml.UnmarshalStrict(data, &c); err != nil {
			return nil, fmt.Errorf("read %s: %s (known keys: %s)", path, strings.TrimPrefix(strings.TrimPrefix(err.Error(), "error unmarshaling JSON: while decoding JSON: "), "json: "), configKeys)
		}
	}
	c.path = path
	if err := c.check(); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	dir := filepath.Dir(path)
	for _, l := range [][]string{c.Policies, c.Data} {
		for i, p := range l {
			l[i] = relTo(dir, p)
		}
	}
	for i, o := range c.Outputs {
		if f, file, ok := strings.Cut(o, "="); ok {
			c.Outputs[i] = f + "=" + relTo(dir, file)
		}
	}
	return &c, nil
}

func relTo(dir, p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(dir, p)
}

// check validates the values that have a fixed set of answers.
func (c *config) check() error {
	if c.ArgoCDVersion != "" {
		if _, err := argocd.ParseVersion(c.ArgoCDVersion); err != nil {
			return fmt.Errorf("argocdVersion: %w", err)
		}
	}
	if c.TrackingMethod != "" {
		if _, err := argocd.ParseTrackingMethod(c.TrackingMethod); err != nil {
			return fmt.Errorf("trackingMethod: %w", err)
		}
	}
	if c.MinSeverity != "" {
		if _, err := policy.ParseSeverity(c.MinSeverity); err != nil {
			return fmt.Errorf("minSeverity: %w", err)
		}
	}
	switch c.FailOn {
	case "", string(policy.SeverityError), string(policy.SeverityWarning):
	default:
		return fmt.Errorf("failOn: %q is not error or warning", c.FailOn)
	}
	if err := policy.CheckRegoVersion(c.RegoVersion); err != nil {
		return fmt.Errorf("regoVersion: %w", err)
	}
	for _, id := range slices.Sorted(maps.Keys(c.Severity)) {
		if _, err := policy.ParseSeverity(c.Severity[id]); err != nil {
			return fmt.Errorf("severity of %s: %w", id, err)
		}
	}
	return nil
}

// apply sets every validate flag the command line did not set from the file.
func (c *config) apply(fs *pflag.FlagSet, vf *validateFlags) {
	str := func(name string, dst *string, v string) {
		if v != "" && !fs.Changed(name) {
			*dst = v
		}
	}
	list := func(name string, dst *[]string, v []string) {
		if len(v) > 0 && !fs.Changed(name) {
			*dst = v
		}
	}
	str("argocd-version", &vf.argocdVersion, c.ArgoCDVersion)
	str("tracking-method", &vf.tracking, c.TrackingMethod)
	str("min-severity", &vf.minSeverity, c.MinSeverity)
	str("rego-version", &vf.regoVersion, c.RegoVersion)
	list("ignore", &vf.ignore, c.Ignore)
	list("policy", &vf.policies, c.Policies)
	list("data", &vf.data, c.Data)
	list("policy-namespace", &vf.namespaces, c.PolicyNamespaces)
	list("output", &vf.outputs, c.Outputs)
	if len(c.Severity) > 0 && !fs.Changed("severity") {
		vf.severity = nil
		for _, id := range slices.Sorted(maps.Keys(c.Severity)) {
			vf.severity = append(vf.severity, id+"="+c.Severity[id])
		}
	}
	if c.FailOn != "" && !fs.Changed("fail-on-warn") {
		vf.failOnWarn = c.FailOn == string(policy.SeverityWarning)
	}
}

// resolveConfig finds the configuration of a validate run: --config, else the .wavecheck.yaml
// nearest to the inputs (they must agree: several apps under different files are separate
// runs), else none. Standard input is looked up from the working directory.
func resolveConfig(explicit string, paths []string, repoRoot string) (*config, error) {
	if explicit != "" {
		return loadConfig(explicit)
	}
	found, first := "", true
	for _, p := range paths {
		if p == render.StdinName {
			p = "."
		}
		c, err := findConfig(p, repoRoot)
		if err != nil {
			// The render reports a missing or unreadable input with its own message.
			continue
		}
		if !first && c != found {
			return nil, fmt.Errorf("the inputs have different configuration files (%s and %s): validate them in separate runs, or choose one with --config", orNone(found), orNone(c))
		}
		found, first = c, false
	}
	if found == "" {
		return &config{}, nil
	}
	return loadConfig(found)
}

func orNone(path string) string {
	if path == "" {
		return "none"
	}
	return path
}
