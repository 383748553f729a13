package policy

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/wavecheck/wavecheck/internal/argocd"
)

// Annotations wavecheck reads on objects to suppress findings.
const (
	// AnnotationIgnore lists rule ids (comma-separated, "*" for all) not to report on the object.
	AnnotationIgnore = "wavecheck.io/ignore"
	// AnnotationIgnoreReason says why; it is carried in Suppressed.Reason.
	AnnotationIgnoreReason = "wavecheck.io/ignore-reason"
)

// DefaultTimeout bounds one evaluation when Options.Timeout is zero. It is the one default
// of the policy time limit: the CLI flags and the plugin settings use it.
const DefaultTimeout = 30 * time.Second

// Options configure a Linter.
type Options struct {
	// PolicyDirs are user policy directories (or single .rego files), read recursively.
	PolicyDirs []string
	// Policies are more user policy sources (e.g. in-memory file systems).
	Policies []Source
	// DataFiles are JSON/YAML documents (or directories of them) merged into data.
	DataFiles []string
	// Namespaces are the packages of user (conftest-style) rules to evaluate; default "main".
	Namespaces []string
	// AllNamespaces evaluates the deny/violation/warn rules of every user package.
	AllNamespaces bool
	// Ignore lists rule ids never reported (their findings go to Result.Suppressed).
	Ignore []string
	// NoIgnoreAnnotation disregards the objects' wavecheck.io/ignore annotations: the admin
	// forbids applications to exempt themselves (the plugin's WAVECHECK_APP_OVERRIDES=false).
	NoIgnoreAnnotation bool
	// ArgoCDVersion is the target Argo CD version ("3.6", "v3.3.1"); default argocd.Latest.
	ArgoCDVersion string
	// TrackingMethod is Argo CD's resource tracking method (application.resourceTrackingMethod:
	// annotation, label or annotation+label); default the target version's default
	// (argocd.DefaultTrackingMethod).
	TrackingMethod string
	// Namespace is the Application's destination namespace (objects without a namespace are
	// placed in it, as Argo CD does).
	Namespace string
	// Timeout bounds one Evaluate (default DefaultTimeout).
	Timeout time.Duration
	// NoBuiltin disables the built-in rule pack (user policies only).
	NoBuiltin bool
	// Severity overrides the severity of a rule's findings, by rule id (e.g. raising
	// application-wave-health to error for an Argo CD without the Application health check).
	// ParseSeverityOverrides reads it from "rule=severity" settings.
	Severity map[string]Severity
	// RegoVersion is the syntax of user policies: "v1" (default, as conftest >= 0.60) or "v0"
	// (older conftest policies: deny[msg] { ... }).
	RegoVersion string

	// eager compiles every built-in rule in New even without user policies (tests compare it
	// with the gated compilation, see gate.go).
	eager bool
}

// Linter evaluates the built-in rule pack and user policies. Policies are compiled and their
// queries prepared once, in New; after New a Linter is never modified, so concurrent
// Evaluate calls are safe and run in parallel (each evaluation keeps its data in its own
// value: see evaluation).
type Linter struct {
	opts     Options
	version  argocd.Version
	tracking argocd.TrackingMethod
	timeout  time.Duration
	ignore   map[string]bool

	// base holds the --data documents (and data.wavecheck's tables); every evaluation's data
	// starts from it. store is the store the queries are prepared against.
	base  ast.Object
	store *routedStore

	compiler *ast.Compiler
	rules    []Rule
	ruleByID map[string]Rule
	builtin  []builtinQuery // one prepared query per built-in rule, in rule order
	user     []userRule

	// wholeObjects stores whole objects for the built-in rules too (see builtinView); tests
	// use it to check that the view changes no finding.
	wholeObjects bool

	// lazy is set when the built-in rules are compiled per evaluation, only those the app can
	// trigger (gate.go): without user policies. builtin is then empty.
	lazy            *lazyBuiltin
	ruleIDByPackage map[string]string
}

// New loads, compiles and prepares the built-in and user policies.
func New(ctx context.Context, opts Options) (*Linter, error) {
	e := &Linter{opts: opts, version: argocd.Latest, timeout: opts.Timeout, ignore: map[string]bool{}, ruleByID: map[string]Rule{}, ruleIDByPackage: map[string]string{}}
	if opts.ArgoCDVersion != "" {
		v, err := argocd.ParseVersion(opts.ArgoCDVersion)
		if err != nil {
			return nil, err
		}
		e.version = v
	}
	e.tracking = argocd.DefaultTrackingMethod(e.version)
	if opts.TrackingMethod != "" {
		m, err := argocd.ParseTrackingMethod(opts.TrackingMethod)
		if err != nil {
			return nil, err
		}
		e.tracking = m
	}
	if e.timeout <= 0 {
		e.timeout = DefaultTimeout
	}
	for _, id := range opts.Ignore {
		for _, p := range strings.Split(id, ",") {
			if p = strings.TrimSpace(p); p != "" {
				e.ignore[p] = true
			}
		}
	}

	// The built-in modules are always compiled (user policies may use data.wavecheck.lib);
	// NoBuiltin only skips evaluating the rules. The built-in rules are compiled when an
	// evaluation knows which of them the app can trigger (gate.go), unless a user policy can
	// see them (builtinIndependent): then everything is compiled together here.
	userMods, data, err := opts.parseUser(false)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err // a caller that no longer needs the linter (pipeline.Close)
	}
	if e.base, err = baseDocument(data); err != nil {
		return nil, err
	}
	e.store = newRoutedStore(e.base)
	gated := !opts.NoBuiltin && !opts.eager && builtinIndependent(userMods)
	var builtin []module // the built-in modules compiled here, with the user policies
	if gated {
		idx, err := embeddedIndex()
		if err != nil {
			return nil, err
		}
		for _, r := range idx.Rules {
			e.rules = append(e.rules, r.Rule)
			e.ruleByID[r.Rule.ID] = r.Rule
			e.ruleIDByPackage[r.Package] = r.Rule.ID
		}
		e.lazy = &lazyBuiltin{index: idx}
		// User policies cannot see the built-in rules: they are compiled with lib alone.
		if len(userMods) > 0 {
			if builtin, err = builtinFiles(idx.Support); err != nil {
				return nil, err
			}
		}
	} else if builtin, err = builtinModules(false); err != nil {
		return nil, err
	}
	if !gated || len(userMods) > 0 {
		mods := append(builtin, userMods...)
		compiler, err := compile(mods) // with every check: user policies are not trusted
		if err == nil {
			err = ctx.Err()
		}
		if err != nil {
			return nil, err
		}
		e.compiler = compiler
		if !gated && !opts.NoBuiltin {
			if err := e.prepareBuiltin(ctx, compiler, mods); err != nil {
				return nil, err
			}
		}
		if err := e.prepareUser(ctx, compiler, userMods); err != nil {
			return nil, err
		}
	}
	if !opts.NoBuiltin {
		e.registerIgnoreCheck()
	}
	for id := range opts.Severity {
		if _, ok := e.ruleByID[id]; !ok && len(userMods) == 0 {
			return nil, fmt.Errorf("severity override for %q: no such rule (wavecheck rules lists them)", id)
		}
	}
	// An --ignore id matching no rule is not an error (a user rule may set its id per
	// finding): the caller reports it (UnknownIgnores) in its own way.
	return e, nil
}

// baseDocument is data without data.wavecheck's per-evaluation part: the --data documents
// and data.wavecheck.argocd (the tables).
func baseDocument(data map[string]any) (ast.Object, error) {
	v, err := ast.InterfaceToValue(data)
	if err != nil {
		return nil, fmt.Errorf("load data: %w", err)
	}
	obj, ok := v.(ast.Object)
	if !ok {
		return nil, fmt.Errorf("load data: the data document is a %s, not an object", ast.ValueName(v))
	}
	return obj, nil
}

func (e *Linter) regoOpts(c *ast.Compiler, query string) []func(*rego.Rego) {
	return []func(*rego.Rego){
		rego.Compiler(c),
		rego.Store(e.store),
		rego.StoreReadAST(true),
		rego.Query(query),
		rego.Capabilities(sandboxCapabilities()),
		rego.SetRegoVersion(ast.RegoV1),
	}
}

// Rules returns the metadata of every built-in rule (sorted by id) then of every user rule
// found (sorted by package and rule name).
func (e *Linter) Rules() []Rule {
	out := make([]Rule, len(e.rules))
	copy(out, e.rules)
	for i, r := range out {
		if sev, ok := e.opts.Severity[r.ID]; ok {
			out[i].Severity = sev
		}
	}
	return out
}

// Version is the target Argo CD version.
func (e *Linter) Version() argocd.Version { return e.version }

// TrackingMethod is the Argo CD resource tracking method the rules assume.
func (e *Linter) TrackingMethod() argocd.TrackingMethod { return e.tracking }
