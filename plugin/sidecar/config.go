package sidecar

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wavecheck/wavecheck/internal/argocd"
	"github.com/wavecheck/wavecheck/internal/pipeline"
	"github.com/wavecheck/wavecheck/plugin/render"
	"github.com/wavecheck/wavecheck/policy"
	"sigs.k8s.io/yaml"
)

// Mode says what generation does with policy findings.
type Mode string

// Modes, from the strictest.
const (
	// Enforce blocks generation on any policy error (the default).
	Enforce Mode = "enforce"
	// Warn reports findings on stderr and never blocks.
	Warn Mode = "warn"
	// Off renders only.
	Off Mode = "off"
)

// ParseMode accepts enforce, warn or off, in any case.
func ParseMode(s string) (Mode, error) {
	switch m := Mode(strings.ToLower(strings.TrimSpace(s))); m {
	case Enforce, Warn, Off:
		return m, nil
	}
	return "", fmt.Errorf("unknown mode %q (want enforce, warn or off)", s)
}

func (m Mode) rank() int {
	switch m {
	case Enforce:
		return 2
	case Warn:
		return 1
	}
	return 0
}

// Sidecar-wide settings: environment variables of the sidecar container.
const (
	EnvMode          = "WAVECHECK_MODE"            // enforce | warn | off (default enforce)
	EnvPolicyDir     = "WAVECHECK_POLICY_DIR"      // admin policy directories, ':'-separated
	EnvDataFiles     = "WAVECHECK_DATA"            // data files for the policies, ':'-separated
	EnvNamespaces    = "WAVECHECK_NAMESPACES"      // Rego packages of user policies, ','-separated
	EnvRepoPolicies  = "WAVECHECK_REPO_POLICIES"   // true: also load .wavecheck/ from the app's repo
	EnvIgnore        = "WAVECHECK_IGNORE"          // rule ids ignored for every app, ','-separated
	EnvArgoCDVersion = "WAVECHECK_ARGOCD_VERSION"  // Argo CD version the rules target
	EnvTracking      = "WAVECHECK_TRACKING_METHOD" // Argo CD's application.resourceTrackingMethod
	EnvTimeout       = "WAVECHECK_TIMEOUT"         // policy evaluation time limit (Go duration)
	EnvAppOverrides  = "WAVECHECK_APP_OVERRIDES"   // false: Applications may not relax mode or ignore rules
	EnvMaxErrors     = "WAVECHECK_MAX_ERRORS"      // error lines shown before "and N more" (default 10)
	// true: discover claims a directory app holding *.jsonnet files (which Argo CD renders
	// natively and wavecheck cannot) so that generate fails naming the file, instead of
	// declining it and leaving it unchecked.
	EnvDiscoverStrict = "WAVECHECK_DISCOVER_STRICT"
	// Helm dependencies missing from charts/ are built as Argo CD's repo-server builds them;
	// credentials come from Helm's HELM_REPOSITORY_CONFIG and HELM_REGISTRY_CONFIG files.
	EnvHelmOffline   = "WAVECHECK_HELM_OFFLINE"    // true: never download dependencies (only vendored or cached)
	EnvHelmCacheDir  = "WAVECHECK_HELM_CACHE_DIR"  // built dependencies (default $XDG_CACHE_HOME/wavecheck/helm)
	EnvHelmPlainHTTP = "WAVECHECK_HELM_PLAIN_HTTP" // true: OCI registries over plain HTTP (insecureOCIForceHttp)
	// Lint outcomes reused when an app is regenerated unchanged (internal/pipeline/lintcache.go):
	// a folder (default $XDG_CACHE_HOME/wavecheck/findings), or "off".
	EnvLintCache = "WAVECHECK_LINT_CACHE_DIR"
	// Kustomize: remote bases and resources (URLs) are refused unless the operator allows them.
	EnvKustomizeRemote = "WAVECHECK_KUSTOMIZE_ALLOW_REMOTE" // true: allow remote kustomize bases (default false)
	EnvKustomizeHelm   = "WAVECHECK_KUSTOMIZE_ENABLE_HELM"  // true: inflate helmCharts (Argo CD's kustomize.buildOptions --enable-helm)
	// Rule severities the operator raises or lowers for every app: rule=severity, ','-separated
	// (e.g. application-wave-health=error when argocd-cm has no Application health check).
	EnvSeverity = "WAVECHECK_SEVERITY"
	// true: render Helm charts twice per generation and report objects that differ
	// (render-not-deterministic). Off by default: it doubles the Helm rendering time of every
	// manifest generation, and Argo CD shows such apps OutOfSync anyway; validate checks it.
	EnvCheckDeterminism = "WAVECHECK_CHECK_DETERMINISM"
)

// Application-level settings: the Application's plugin env (spec.source.plugin.env), which the
// cmp-server passes as ARGOCD_ENV_<name>. Plugin parameters win over these.
const (
	AppEnvMode          = "WAVECHECK_MODE"
	AppEnvIgnore        = "WAVECHECK_IGNORE"
	AppEnvArgoCDVersion = "WAVECHECK_ARGOCD_VERSION"
	AppEnvTracking      = "WAVECHECK_TRACKING_METHOD"
	AppEnvAllowEmpty    = "WAVECHECK_ALLOW_EMPTY"
)

// RepoPolicyDir is the folder, at the root of the app's repository, holding repo policies.
const RepoPolicyDir = pipeline.RepoPolicyDir

// Defaults.
const (
	DefaultTimeout   = policy.DefaultTimeout
	DefaultMaxErrors = 10
)

// Config is everything generation needs, resolved from the environment.
type Config struct {
	Mode Mode
	// ModeFrom names where Mode came from: "parameter mode", "ARGOCD_ENV_WAVECHECK_MODE",
	// "WAVECHECK_MODE" or "default".
	ModeFrom string
	// AllowEmpty accepts an app that renders to no objects at all.
	AllowEmpty bool
	// Render options, as Argo CD would render the app.
	Render render.Options
	// SourcePath is ARGOCD_APP_SOURCE_PATH, the app's path inside its repository: Generate and
	// Discover derive the repository root from it (SourceRoot) when Render.RepoRoot is empty.
	SourcePath string
	// CMPWorkDir is the folder the cmp-server unpacks each request's stream under
	// (argocd.CMPWorkDir): Generate and Discover bound file reads by the stream's root when the
	// app directory lies below it and SourceRoot does not give a root inside that stream.
	CMPWorkDir string
	Policy     PolicyConfig
	// MaxErrors caps the error lines printed when generation is blocked.
	MaxErrors int
	// DiscoverStrict is WAVECHECK_DISCOVER_STRICT: Discover claims directory apps holding
	// jsonnet files, so that generate fails instead of Argo CD rendering them unchecked.
	DiscoverStrict bool
}

// PolicyConfig says which policies run and how.
type PolicyConfig struct {
	// Dirs are the admin policy directories (the built-in rules always run).
	Dirs       []string
	DataFiles  []string
	Namespaces []string
	// RepoPolicies loads <repo root>/.wavecheck as an extra policy directory.
	RepoPolicies  bool
	Ignore        []string
	ArgoCDVersion string
	// TrackingMethod is Argo CD's resource tracking method (annotation, label or
	// annotation+label); empty means the target version's default.
	TrackingMethod string
	// Namespace is the Application's destination namespace (ARGOCD_APP_NAMESPACE).
	Namespace string
	Timeout   time.Duration
	// Severity is WAVECHECK_SEVERITY (admin only: an Application cannot change severities).
	Severity map[string]policy.Severity
	// CheckDeterminism is WAVECHECK_CHECK_DETERMINISM.
	CheckDeterminism bool
	// NoAppOverrides is WAVECHECK_APP_OVERRIDES=false: besides the mode and ignore list
	// checks of Resolve, the objects' wavecheck.io/ignore annotations are disregarded.
	NoAppOverrides bool
	// LintCache is WAVECHECK_LINT_CACHE_DIR: "" for the default folder, "off" for none.
	LintCache string
}

// lintCacheDir is the lint cache folder the pipeline uses, "" for none.
func (p PolicyConfig) lintCacheDir() string {
	switch p.LintCache {
	case "off":
		return ""
	case "":
		c, err := os.UserCacheDir()
		if err != nil {
			return ""
		}
		return filepath.Join(c, "wavecheck", "findings")
	}
	return p.LintCache
}

// Resolve computes the generation settings from the cmp environment. Precedence, from highest:
// the plugin parameter, the Application's plugin env (ARGOCD_ENV_WAVECHECK_*), the sidecar's
// environment (WAVECHECK_*), the default. Ignore lists from all levels are merged. When the
// sidecar sets WAVECHECK_APP_OVERRIDES=false, an Application may only make the mode stricter and
// may not ignore rules; trying is an error.
func Resolve(env Env) (Config, error) {
	ps, err := ParseParams(env.Vars)
	if err != nil {
		return Config{}, err
	}
	c := Config{Mode: Enforce, ModeFrom: "default", MaxErrors: DefaultMaxErrors}

	overrides := true
	if v, ok := env.Vars[EnvAppOverrides]; ok {
		if overrides, err = parseBool(EnvAppOverrides, v); err != nil {
			return Config{}, err
		}
	}

	// Mode.
	if v, ok := env.Vars[EnvMode]; ok && strings.TrimSpace(v) != "" {
		if c.Mode, err = ParseMode(v); err != nil {
			return Config{}, fmt.Errorf("read %s: %w", EnvMode, err)
		}
		c.ModeFrom = EnvMode
	}
	sidecarMode := c.Mode
	appMode, appModeFrom := "", ""
	if v, ok := env.App[AppEnvMode]; ok && strings.TrimSpace(v) != "" {
		appMode, appModeFrom = v, appEnvPrefix+AppEnvMode
	}
	if v, ok := ps.String(ParamMode); ok && strings.TrimSpace(v) != "" {
		appMode, appModeFrom = v, "parameter "+ParamMode
	}
	if appMode != "" {
		m, err := ParseMode(appMode)
		if err != nil {
			return Config{}, fmt.Errorf("read %s: %w", appModeFrom, err)
		}
		if !overrides && m.rank() < sidecarMode.rank() {
			return Config{}, fmt.Errorf("read %s: mode %s is weaker than the sidecar's %s, and %s=false forbids relaxing it", appModeFrom, m, sidecarMode, EnvAppOverrides)
		}
		c.Mode, c.ModeFrom = m, appModeFrom
	}

	// Allow empty.
	if v, ok := env.App[AppEnvAllowEmpty]; ok {
		if c.AllowEmpty, err = parseBool(appEnvPrefix+AppEnvAllowEmpty, v); err != nil {
			return Config{}, err
		}
	}
	if v, ok := ps.String(ParamAllowEmpty); ok {
		if c.AllowEmpty, err = parseBool("parameter "+ParamAllowEmpty, v); err != nil {
			return Config{}, err
		}
	}

	// Policies.
	p := &c.Policy
	p.Dirs = splitList(env.Vars[EnvPolicyDir], string(os.PathListSeparator))
	p.DataFiles = splitList(env.Vars[EnvDataFiles], string(os.PathListSeparator))
	p.Namespaces = splitList(env.Vars[EnvNamespaces], ",")
	if v, ok := env.Vars[EnvRepoPolicies]; ok {
		if p.RepoPolicies, err = parseBool(EnvRepoPolicies, v); err != nil {
			return Config{}, err
		}
	}
	p.Ignore = splitList(env.Vars[EnvIgnore], ",")
	appIgnore := splitList(env.App[AppEnvIgnore], ",")
	if arr, ok := ps.Array(ParamIgnore); ok {
		for _, id := range arr {
			appIgnore = append(appIgnore, splitList(id, ",")...)
		}
	}
	if len(appIgnore) > 0 && !overrides {
		return Config{}, fmt.Errorf("read ignore list: the Application ignores %s, and %s=false forbids it", strings.Join(appIgnore, ", "), EnvAppOverrides)
	}
	p.Ignore = dedupe(append(p.Ignore, appIgnore...))
	p.NoAppOverrides = !overrides
	p.ArgoCDVersion = strings.TrimSpace(env.Vars[EnvArgoCDVersion])
	if v := strings.TrimSpace(env.App[AppEnvArgoCDVersion]); v != "" {
		p.ArgoCDVersion = v
	}
	if v, ok := ps.String(ParamArgoCDVersion); ok && strings.TrimSpace(v) != "" {
		p.ArgoCDVersion = strings.TrimSpace(v)
	}
	p.TrackingMethod = strings.TrimSpace(env.Vars[EnvTracking])
	if v := strings.TrimSpace(env.App[AppEnvTracking]); v != "" {
		p.TrackingMethod = v
	}
	if v, ok := ps.String(ParamTracking); ok && strings.TrimSpace(v) != "" {
		p.TrackingMethod = strings.TrimSpace(v)
	}
	if p.TrackingMethod != "" {
		if _, err := argocd.ParseTrackingMethod(p.TrackingMethod); err != nil {
			return Config{}, fmt.Errorf("read tracking method: %w", err)
		}
	}
	if p.Severity, err = policy.ParseSeverityOverrides([]string{env.Vars[EnvSeverity]}); err != nil {
		return Config{}, fmt.Errorf("read %s: %w", EnvSeverity, err)
	}
	if v, ok := env.Vars[EnvCheckDeterminism]; ok {
		if p.CheckDeterminism, err = parseBool(EnvCheckDeterminism, v); err != nil {
			return Config{}, err
		}
	}
	p.Namespace = env.AppNamespace
	p.LintCache = strings.TrimSpace(env.Vars[EnvLintCache])
	p.Timeout = DefaultTimeout
	if v := strings.TrimSpace(env.Vars[EnvTimeout]); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return Config{}, fmt.Errorf("read %s: want a positive duration such as 30s, got %q", EnvTimeout, v)
		}
		p.Timeout = d
	}
	if v := strings.TrimSpace(env.Vars[EnvMaxErrors]); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return Config{}, fmt.Errorf("read %s: want a positive integer, got %q", EnvMaxErrors, v)
		}
		c.MaxErrors = n
	}

	if v, ok := env.Vars[EnvDiscoverStrict]; ok {
		if c.DiscoverStrict, err = parseBool(EnvDiscoverStrict, v); err != nil {
			return Config{}, err
		}
	}

	// Rendering, as Argo CD's repo-server would.
	c.SourcePath = env.SourcePath
	c.CMPWorkDir = argocd.CMPWorkDir(env.Vars)
	r := &c.Render
	r.AppName = env.AppName
	r.Namespace = env.AppNamespace
	r.KubeVersion = env.KubeVersion
	r.APIVersions = slices.Clone(env.APIVersions)
	if err := resolveLimits(env.Vars, r); err != nil {
		return Config{}, err
	}
	if err := resolveOperatorRender(env.Vars, r); err != nil {
		return Config{}, err
	}
	if v, ok := ps.String(ParamReleaseName); ok && strings.TrimSpace(v) != "" {
		r.ReleaseName = strings.TrimSpace(v)
	}
	// Like Argo CD's Helm source, values file paths and set values may use the build
	// environment ($ARGOCD_APP_NAME, $ARGOCD_APP_REVISION_SHORT, ...; $$ for a dollar).
	if arr, ok := ps.Array(ParamValuesFiles); ok {
		for _, f := range arr {
			if f = strings.TrimSpace(env.Envsubst(f)); f != "" {
				r.ValueFiles = append(r.ValueFiles, filepath.FromSlash(f))
			}
		}
	}
	if m, ok := ps.Map(ParamSet); ok {
		for _, k := range slices.Sorted(maps.Keys(m)) {
			r.Set = append(r.Set, k+"="+env.Envsubst(m[k]))
		}
	}
	if err := inlineValues(ps, r); err != nil {
		return Config{}, err
	}
	if v, ok := ps.String(ParamRecurse); ok {
		if r.Recurse, err = parseBool("parameter "+ParamRecurse, v); err != nil {
			return Config{}, err
		}
	}
	if v, ok := ps.String(ParamInclude); ok && strings.TrimSpace(v) != "" {
		r.Include = []string{strings.TrimSpace(v)}
	}
	if v, ok := ps.String(ParamExclude); ok && strings.TrimSpace(v) != "" {
		r.Exclude = []string{strings.TrimSpace(v)}
	}
	if err := kustomizeParams(ps, env, r); err != nil {
		return Config{}, err
	}
	return c, nil
}

// inlineValues sets the Helm inline values from the values and values-object parameters with
// Argo CD's precedence (argocd.ApplicationSourceHelm.ValuesJSON: the object wins when set). The
// object must be a YAML or JSON mapping.
func inlineValues(ps Params, r *render.Options) error {
	h := argocd.ApplicationSourceHelm{}
	if v, ok := ps.String(ParamValues); ok {
		h.Values = v
	}
	if v, ok := ps.String(ParamValuesObject); ok && strings.TrimSpace(v) != "" {
		var obj map[string]any
		if err := yaml.Unmarshal([]byte(v), &obj); err != nil || obj == nil {
			return fmt.Errorf("parameter %s: want a YAML or JSON object of Helm values, e.g. {image: {tag: v2}}, got %q", ParamValuesObject, firstLine(v))
		}
		b, err := json.Marshal(obj)
		if err != nil {
			return fmt.Errorf("parameter %s: %w", ParamValuesObject, err)
		}
		h.ValuesObject = b
	}
	r.Values = h.ValuesJSON()
	return nil
}

// firstLine is s up to its first line break, for one-line error messages.
func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " ..."
	}
	return s
}

// kustomizeParams applies the Kustomize parameters through the code path of an
// Application's spec.source.kustomize (pipeline.KustomizeOptions): the same edits, the same
// environment substitution.
func kustomizeParams(ps Params, env Env, r *render.Options) error {
	k := &argocd.ApplicationSourceKustomize{}
	if v, ok := ps.String(ParamNamePrefix); ok {
		k.NamePrefix = strings.TrimSpace(v)
	}
	if v, ok := ps.String(ParamNameSuffix); ok {
		k.NameSuffix = strings.TrimSpace(v)
	}
	if v, ok := ps.String(ParamNamespace); ok {
		k.Namespace = strings.TrimSpace(v)
	}
	if arr, ok := ps.Array(ParamImages); ok {
		for _, im := range arr {
			if im = strings.TrimSpace(im); im != "" {
				k.Images = append(k.Images, im)
			}
		}
	}
	if m, ok := ps.Map(ParamCommonLabels); ok && len(m) > 0 {
		k.CommonLabels = m
	}
	if m, ok := ps.Map(ParamCommonAnnotations); ok && len(m) > 0 {
		k.CommonAnnotations = m
	}
	if err := pipeline.KustomizeOptions(k, env.Envsubst, r); err != nil {
		return fmt.Errorf("kustomize parameters: %w", err)
	}
	return nil
}

// parseBool accepts true/false (and 1/0, yes/no); an empty value is false.
func parseBool(what, v string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "", "false", "0", "no":
		return false, nil
	case "true", "1", "yes":
		return true, nil
	}
	return false, fmt.Errorf("read %s: want true or false, got %q", what, v)
}

func dedupe(ids []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// resolveOperatorRender reads the operator's rendering settings (the sidecar's environment
// only: an Application cannot open the network or remote bases).
func resolveOperatorRender(vars map[string]string, r *render.Options) error {
	offline, err := parseBool(EnvHelmOffline, vars[EnvHelmOffline])
	if err != nil {
		return err
	}
	r.Dependencies.Fetch = !offline
	r.Dependencies.CacheDir = strings.TrimSpace(vars[EnvHelmCacheDir])
	if r.Dependencies.PlainHTTP, err = parseBool(EnvHelmPlainHTTP, vars[EnvHelmPlainHTTP]); err != nil {
		return err
	}
	if r.AllowRemote, err = parseBool(EnvKustomizeRemote, vars[EnvKustomizeRemote]); err != nil {
		return err
	}
	if r.EnableHelm, err = parseBool(EnvKustomizeHelm, vars[EnvKustomizeHelm]); err != nil {
		return err
	}
	return nil
}
