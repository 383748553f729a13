package policy

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/storage/inmem"

	"github.com/wavecheck/wavecheck/internal/argocd"
	"github.com/wavecheck/wavecheck/internal/manifest"
	"github.com/wavecheck/wavecheck/internal/parallel"
)

// Annotations wavecheck reads on objects to suppress findings.
const (
	// AnnotationIgnore lists rule ids (comma-separated, "*" for all) not to report on the object.
	AnnotationIgnore = "wavecheck.io/ignore"
	// AnnotationIgnoreReason says why; it is carried in Suppressed.Reason.
	AnnotationIgnoreReason = "wavecheck.io/ignore-reason"
)

// DefaultTimeout bounds one evaluation when Options.Timeout is zero.
const DefaultTimeout = 30 * time.Second

// Options configure an Engine.
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
	// ArgoCDVersion is the target Argo CD version ("3.6", "v3.3.1"); default argocd.Latest.
	ArgoCDVersion string
	// Namespace is the Application's destination namespace (objects without a namespace are
	// placed in it, as Argo CD does).
	Namespace string
	// Timeout bounds one Evaluate (default DefaultTimeout).
	Timeout time.Duration
	// NoBuiltin disables the built-in rule pack (user policies only).
	NoBuiltin bool
	// RegoVersion is the syntax of user policies: "v1" (default, as conftest >= 0.60) or "v0"
	// (older conftest policies: deny[msg] { ... }).
	RegoVersion string
}

// Engine evaluates the built-in rule pack and user policies. Policies are compiled and their
// queries prepared once, in New. An Engine is safe for concurrent use; evaluations are
// serialized.
type Engine struct {
	opts    Options
	version argocd.Version
	timeout time.Duration
	ignore  map[string]bool

	mu    sync.Mutex
	store storage.Store

	compiler *ast.Compiler
	rules    []Rule
	ruleByID map[string]Rule
	builtin  []builtinQuery // one prepared query per built-in rule, in rule order
	user     []userRule
	inputs   []ast.Value // AST of each object of the current evaluation (guarded by mu)

	// wholeObjects stores whole objects for the built-in rules too (see builtinView); tests
	// use it to check that the view changes no finding.
	wholeObjects bool
}

// builtinQuery returns the findings of one built-in rule. The rules are separate queries so
// that one evaluation runs them on every core.
type builtinQuery struct {
	id    string
	query rego.PreparedEvalQuery
}

type userRule struct {
	namespace string
	name      string // rule name, e.g. deny_latest
	rule      Rule   // metadata (ID, default severity, ...)
	query     rego.PreparedEvalQuery
	exception *rego.PreparedEvalQuery
}

var (
	failureRule = regexp.MustCompile(`^(deny|violation)(_[a-zA-Z0-9]+)*$`)
	warningRule = regexp.MustCompile(`^warn(_[a-zA-Z0-9]+)*$`)
)

// New loads, compiles and prepares the built-in and user policies.
func New(ctx context.Context, opts Options) (*Engine, error) {
	e := &Engine{opts: opts, version: argocd.Latest, timeout: opts.Timeout, ignore: map[string]bool{}, ruleByID: map[string]Rule{}}
	if opts.ArgoCDVersion != "" {
		v, err := argocd.ParseVersion(opts.ArgoCDVersion)
		if err != nil {
			return nil, err
		}
		e.version = v
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
	// NoBuiltin only skips evaluating the rules.
	mods, userMods, compiler, data, err := opts.load(false, false)
	if err != nil {
		return nil, err
	}
	e.compiler = compiler
	data["wavecheck"] = map[string]any{"objects": []any{}, "index": map[string]any{}}
	e.store = inmem.NewFromObjectWithOpts(data, inmem.OptRoundTripOnWrite(true), inmem.OptReturnASTValuesOnRead(true))

	if !opts.NoBuiltin {
		if err := e.prepareBuiltin(ctx, compiler, mods); err != nil {
			return nil, err
		}
	}
	if err := e.prepareUser(ctx, compiler, userMods); err != nil {
		return nil, err
	}
	for id := range e.ignore {
		if _, ok := e.ruleByID[id]; !ok {
			// Not an error: a user rule may set its id per finding.
			slog.Warn("ignored rule id matches no known rule", "rule", id)
		}
	}
	return e, nil
}

func (e *Engine) regoOpts(c *ast.Compiler, query string) []func(*rego.Rego) {
	return []func(*rego.Rego){
		rego.Compiler(c),
		rego.Store(e.store),
		rego.StoreReadAST(true),
		rego.Query(query),
		rego.Capabilities(sandboxCapabilities()),
		rego.SetRegoVersion(ast.RegoV1),
	}
}

// prepareBuiltin reads the metadata of each built-in rule package and prepares a query
// returning the findings of each rule.
func (e *Engine) prepareBuiltin(ctx context.Context, c *ast.Compiler, mods []module) error {
	for _, m := range mods {
		if !m.builtin || !isRulePackage(m.mod.Package.Path) {
			continue
		}
		r, err := builtinRule(m)
		if err != nil {
			return err
		}
		if _, dup := e.ruleByID[r.ID]; dup {
			return fmt.Errorf("load built-in rules: duplicate rule id %s", r.ID)
		}
		e.rules = append(e.rules, r)
		e.ruleByID[r.ID] = r
		pq, err := rego.New(e.regoOpts(c, m.mod.Package.Path.String()+".findings")...).PrepareForEval(ctx)
		if err != nil {
			return fmt.Errorf("prepare built-in rule %s: %w", r.ID, formatRegoError(err))
		}
		e.builtin = append(e.builtin, builtinQuery{id: r.ID, query: pq})
	}
	return nil
}

func isRulePackage(p ast.Ref) bool {
	return len(p) == 4 && p[1].Equal(ast.StringTerm("wavecheck")) && p[2].Equal(ast.StringTerm("rules"))
}

// builtinRule reads a built-in rule's package METADATA: title, description, and custom id,
// severity, hint, link (or the first related_resources ref).
func builtinRule(m module) (Rule, error) {
	var a *ast.Annotations
	for _, x := range m.mod.Annotations {
		if x.Scope == "package" {
			a = x
		}
	}
	if a == nil {
		return Rule{}, fmt.Errorf("load built-in rule %s: no package METADATA", m.file)
	}
	r := ruleFromAnnotations(a)
	if r.ID == "" {
		return Rule{}, fmt.Errorf("load built-in rule %s: METADATA lacks custom.id", m.file)
	}
	want := strings.ReplaceAll(r.ID, "-", "_")
	if got := string(m.mod.Package.Path[3].Value.(ast.String)); got != want {
		return Rule{}, fmt.Errorf("load built-in rule %s: package %s does not match id %s", m.file, got, r.ID)
	}
	if r.Severity == "" {
		return Rule{}, fmt.Errorf("load built-in rule %s: METADATA lacks a valid custom.severity", m.file)
	}
	return r, nil
}

func ruleFromAnnotations(a *ast.Annotations) Rule {
	r := Rule{Title: a.Title, Description: strings.TrimSpace(a.Description)}
	str := func(k string) string {
		s, _ := a.Custom[k].(string)
		return strings.TrimSpace(s)
	}
	r.ID = str("id")
	if s, err := ParseSeverity(str("severity")); err == nil {
		r.Severity = s
	}
	r.Hint = str("hint")
	r.Link = str("link")
	if r.Link == "" && len(a.RelatedResources) > 0 {
		r.Link = a.RelatedResources[0].Ref.String()
	}
	return r
}

// prepareUser finds the conftest-style rules (deny, violation, warn, optionally suffixed
// with _name) of the selected namespaces and prepares one query per rule, plus the conftest
// exception query when the namespace has an exception rule.
func (e *Engine) prepareUser(ctx context.Context, c *ast.Compiler, mods []module) error {
	namespaces := e.opts.Namespaces
	if len(namespaces) == 0 && !e.opts.AllNamespaces {
		namespaces = []string{"main"}
	}
	want := map[string]bool{}
	for _, ns := range namespaces {
		want[ns] = true
	}
	type key struct{ ns, name string }
	seen := map[key]bool{}
	hasException := map[string]bool{}
	var keys []key
	meta := map[key]*ast.Annotations{}
	for _, m := range mods {
		ns := strings.TrimPrefix(m.mod.Package.Path.String(), "data.")
		if !e.opts.AllNamespaces && !want[ns] {
			continue
		}
		for _, r := range m.mod.Rules {
			ref := r.Head.Ref()
			if len(ref) != 1 {
				continue
			}
			name := ref[0].Value.String()
			if name == "exception" {
				hasException[ns] = true
				continue
			}
			if !failureRule.MatchString(name) && !warningRule.MatchString(name) {
				continue
			}
			// As conftest: `deny if {...}` (no contains) is a boolean, not a set of messages.
			if r.Head.Key == nil && r.Head.Value != nil && r.Head.Value.String() == "true" {
				return fmt.Errorf("load policy %s:%d: rule %s uses \"if\" without \"contains\": write %s contains msg if { ... }",
					m.file, r.Head.Location.Row, name, name)
			}
			k := key{ns, name}
			for _, a := range r.Annotations {
				if a.Scope == "rule" || a.Scope == "document" {
					meta[k] = a
				}
			}
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
		if meta[key{ns, ""}] == nil {
			for _, a := range m.mod.Annotations {
				if a.Scope == "package" || a.Scope == "subpackages" {
					meta[key{ns, ""}] = a
				}
			}
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].ns != keys[j].ns {
			return keys[i].ns < keys[j].ns
		}
		return keys[i].name < keys[j].name
	})
	for _, k := range keys {
		r := Rule{ID: k.ns + "." + k.name, Severity: SeverityError}
		if warningRule.MatchString(k.name) {
			r.Severity = SeverityWarning
		}
		if a := meta[k]; a != nil {
			m := ruleFromAnnotations(a)
			r = mergeRule(r, m)
		}
		pq, err := rego.New(e.regoOpts(c, fmt.Sprintf("data.%s.%s", k.ns, k.name))...).PrepareForEval(ctx)
		if err != nil {
			return fmt.Errorf("prepare rule %s: %w", r.ID, formatRegoError(err))
		}
		ur := userRule{namespace: k.ns, name: k.name, rule: r, query: pq}
		if hasException[k.ns] {
			q := fmt.Sprintf("data.%s.exception[_][_] == %q", k.ns, removeRulePrefix(k.name))
			xq, err := rego.New(e.regoOpts(c, q)...).PrepareForEval(ctx)
			if err != nil {
				return fmt.Errorf("prepare exceptions of %s: %w", r.ID, formatRegoError(err))
			}
			ur.exception = &xq
		}
		if _, dup := e.ruleByID[r.ID]; !dup {
			e.rules = append(e.rules, r)
			e.ruleByID[r.ID] = r
		}
		e.user = append(e.user, ur)
	}
	return nil
}

func mergeRule(base, m Rule) Rule {
	if m.ID != "" {
		base.ID = m.ID
	}
	if m.Severity != "" {
		base.Severity = m.Severity
	}
	if m.Title != "" {
		base.Title = m.Title
	}
	if m.Description != "" {
		base.Description = m.Description
	}
	if m.Hint != "" {
		base.Hint = m.Hint
	}
	if m.Link != "" {
		base.Link = m.Link
	}
	return base
}

func removeRulePrefix(rule string) string {
	if rule == "deny" || rule == "violation" || rule == "warn" {
		return "" // as conftest: exceptions name suffixed rules only
	}
	for _, p := range []string{"violation_", "deny_", "warn_"} {
		rule = strings.TrimPrefix(rule, p)
	}
	return rule
}

// Rules returns the metadata of every built-in rule (sorted by id) then of every user rule
// found (sorted by package and rule name).
func (e *Engine) Rules() []Rule {
	out := make([]Rule, len(e.rules))
	copy(out, e.rules)
	return out
}

// Version is the target Argo CD version.
func (e *Engine) Version() argocd.Version { return e.version }

// Result is the outcome of one evaluation.
type Result struct {
	// Objects is the number of objects evaluated.
	Objects int `json:"objects"`
	// Findings are sorted by file, line, object, rule and message.
	Findings []Finding `json:"findings"`
	// Suppressed are the findings removed by an ignore annotation, the ignore list or a
	// conftest exception, with the reason.
	Suppressed []Suppressed `json:"suppressed"`
}

// Suppressed is a finding that was not reported, and why.
type Suppressed struct {
	Finding
	// By is "annotation" (wavecheck.io/ignore), "ignore" (Options.Ignore) or "exception"
	// (a conftest exception rule).
	By string `json:"by"`
	// Reason is the wavecheck.io/ignore-reason annotation, or a description of By.
	Reason string `json:"reason"`
}

// Evaluate lints the objects with every rule.
func (e *Engine) Evaluate(ctx context.Context, objs []manifest.Object) (*Result, error) {
	ctx, cancel := context.WithTimeout(ctx, e.timeout)
	defer cancel()
	e.mu.Lock()
	defer e.mu.Unlock()

	facts := argocd.AnalyzeAll(objs, argocd.Options{Version: e.version, Namespace: e.opts.Namespace})
	if err := e.writeObjects(ctx, objs, facts); err != nil {
		return nil, err
	}
	res := &Result{Objects: len(objs), Findings: []Finding{}, Suppressed: []Suppressed{}}
	var raw []hit
	if len(e.builtin) > 0 {
		fs, err := e.evalBuiltin(ctx, objs)
		if err != nil {
			return nil, timeoutError(ctx, e.timeout, err)
		}
		raw = append(raw, fs...)
	}
	if len(e.user) > 0 {
		fs, exc, err := e.evalUser(ctx, objs)
		if err != nil {
			return nil, timeoutError(ctx, e.timeout, err)
		}
		raw = append(raw, fs...)
		res.Suppressed = append(res.Suppressed, exc...)
	}
	for _, h := range raw {
		if s, ok := e.suppression(h.Finding, objs[h.obj]); ok {
			res.Suppressed = append(res.Suppressed, s)
			continue
		}
		res.Findings = append(res.Findings, h.Finding)
	}
	sortFindings(res.Findings)
	sort.SliceStable(res.Suppressed, func(i, j int) bool { return lessFinding(res.Suppressed[i].Finding, res.Suppressed[j].Finding) })
	return res, nil
}

func timeoutError(ctx context.Context, d time.Duration, err error) error {
	if ctx.Err() == context.DeadlineExceeded {
		return fmt.Errorf("evaluate policies: time limit of %s exceeded: %w", d, err)
	}
	return fmt.Errorf("evaluate policies: %w", err)
}

// objectKey identifies an object in data.wavecheck.index (see lib.rego object_key).
func objectKey(o manifest.Object) string {
	name := o.Name()
	if name == "" && o.GenerateName() != "" {
		name = o.GenerateName() + "*"
	}
	return argocd.Group(o.APIVersion()) + "/" + o.Kind() + "/" + o.Namespace() + "/" + name
}

// writeObjects stores data.wavecheck (see docs/policy.md for its shape).
func (e *Engine) writeObjects(ctx context.Context, objs []manifest.Object, facts []argocd.Facts) error {
	list := make([]any, len(objs))
	index := make(map[string]any, len(objs))
	lookup := make(map[string][]int, len(objs))
	for i, o := range objs {
		ns := o.Namespace()
		if ns == "" {
			ns = e.opts.Namespace
		}
		if o.Name() != "" {
			lk := argocd.Group(o.APIVersion()) + "/" + o.Kind() + "/" + ns + "/" + o.Name()
			lookup[lk] = append(lookup[lk], i)
		}
		if k := objectKey(o); index[k] == nil {
			index[k] = i
		}
	}
	// Converting the objects to AST values is most of the cost: spread it over the CPUs. The
	// raw objects' values are kept as the inputs of user rules.
	inputs := make([]ast.Value, len(objs))
	if err := parallel.Do(len(objs), func(i int) error {
		o := objs[i]
		src := o.Object
		if len(e.user) == 0 && !e.wholeObjects {
			src = builtinView(o, facts[i])
		}
		raw, err := ast.InterfaceToValue(src)
		if err != nil {
			return fmt.Errorf("encode %s: %w", o.Ref(), err)
		}
		inputs[i] = raw
		list[i] = objectValue(i, o, raw, facts[i])
		return nil
	}); err != nil {
		return err
	}
	sets := candidateSets(objs, facts)
	lk := make(map[string]any, len(lookup))
	for k, v := range lookup {
		a := make([]any, len(v))
		for i, x := range v {
			a[i] = x
		}
		lk[k] = a
	}
	doc := map[string]any{
		"objects":   list,
		"index":     index,
		"lookup":    lk,
		"sets":      sets,
		"namespace": e.opts.Namespace,
		"argocd_version": map[string]any{
			"major": e.version.Major, "minor": e.version.Minor, "patch": e.version.Patch,
			"string": e.version.String(),
		},
	}
	v, err := ast.InterfaceToValue(doc)
	if err != nil {
		return fmt.Errorf("encode objects: %w", err)
	}
	if err := storage.WriteOne(ctx, e.store, storage.ReplaceOp, storage.Path{"wavecheck"}, v); err != nil {
		return fmt.Errorf("store objects: %w", err)
	}
	e.inputs = inputs
	return nil
}

// hit is a finding and the index of its object.
type hit struct {
	Finding
	obj int
}

// evalBuiltin runs the built-in rules concurrently (prepared queries and the store's read
// transactions are safe for concurrent use) and returns their findings in rule order.
func (e *Engine) evalBuiltin(ctx context.Context, objs []manifest.Object) ([]hit, error) {
	per := make([][]hit, len(e.builtin))
	if err := parallel.Do(len(e.builtin), func(i int) error {
		hs, err := e.evalRule(ctx, e.builtin[i], objs)
		per[i] = hs
		return err
	}); err != nil {
		return nil, err
	}
	var out []hit
	for _, hs := range per {
		out = append(out, hs...)
	}
	return out, nil
}

func (e *Engine) evalRule(ctx context.Context, q builtinQuery, objs []manifest.Object) ([]hit, error) {
	rs, err := q.query.Eval(ctx)
	if err != nil {
		return nil, fmt.Errorf("built-in rule %s: %w", q.id, err)
	}
	if len(rs) != 1 || len(rs[0].Expressions) != 1 {
		return nil, fmt.Errorf("built-in rule %s: query gave %d results", q.id, len(rs))
	}
	rule := e.ruleByID[q.id]
	items, _ := rs[0].Expressions[0].Value.([]any)
	out := make([]hit, 0, len(items))
	for _, it := range items {
		m, ok := it.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("built-in rule %s: finding %v is not an object", q.id, it)
		}
		idx, ok := jsonInt(m["index"])
		if !ok || idx < 0 || idx >= len(objs) {
			return nil, fmt.Errorf("built-in rule %s: finding has no valid index: %v", q.id, m)
		}
		f, err := newFinding(rule, m, objs[idx])
		if err != nil {
			return nil, fmt.Errorf("built-in rule %s: %w", q.id, err)
		}
		out = append(out, hit{f, idx})
	}
	return out, nil
}

func jsonInt(v any) (int, bool) {
	switch n := v.(type) {
	case json.Number:
		i, err := n.Int64()
		return int(i), err == nil
	case int:
		return n, true
	case int64:
		return int(n), true
	case float64:
		return int(n), n == float64(int(n))
	}
	return 0, false
}

// newFinding builds a finding from a rule's metadata and the value a rule returned: a string
// (the message) or an object with msg and optional rule/id, severity, hint, title, link.
func newFinding(rule Rule, v any, o manifest.Object) (Finding, error) {
	f := Finding{Rule: rule.ID, Severity: rule.Severity, Hint: rule.Hint, Object: refOf(o), File: o.Source.File, Line: o.Source.Line}
	switch val := v.(type) {
	case string:
		f.Message = val
	case map[string]any:
		msg, ok := val["msg"].(string)
		if !ok {
			return Finding{}, fmt.Errorf("rule %s: result has no string msg field: %v", rule.ID, val)
		}
		f.Message = msg
		if s, ok := val["rule"].(string); ok && s != "" {
			f.Rule = s
		} else if s, ok := val["id"].(string); ok && s != "" {
			f.Rule = s
		}
		if s, ok := val["severity"].(string); ok {
			sev, err := ParseSeverity(s)
			if err != nil {
				return Finding{}, fmt.Errorf("rule %s: %w", rule.ID, err)
			}
			f.Severity = sev
		}
		if s, ok := val["hint"].(string); ok {
			f.Hint = s
		}
	default:
		return Finding{}, fmt.Errorf("rule %s: result %v is neither a string nor an object with msg", rule.ID, v)
	}
	return f, nil
}

func refOf(o manifest.Object) ObjectRef {
	return ObjectRef{APIVersion: o.APIVersion(), Kind: o.Kind(), Namespace: o.Namespace(), Name: o.Name(), GenerateName: o.GenerateName()}
}

// evalUser runs each conftest-style rule with each object as input, like conftest does for
// each document of a multi-document file.
func (e *Engine) evalUser(ctx context.Context, objs []manifest.Object) ([]hit, []Suppressed, error) {
	var out []hit
	var exc []Suppressed
	for i, o := range objs {
		input := e.inputs[i]
		for _, ur := range e.user {
			if ur.exception != nil {
				rs, err := ur.exception.Eval(ctx, rego.EvalParsedInput(input))
				if err != nil {
					return nil, nil, fmt.Errorf("rule %s: %w", ur.rule.ID, err)
				}
				if len(rs) > 0 {
					f := Finding{Rule: ur.rule.ID, Severity: ur.rule.Severity, Message: fmt.Sprintf("exception for %s", removeRulePrefix(ur.name)),
						Object: refOf(o), File: o.Source.File, Line: o.Source.Line}
					exc = append(exc, Suppressed{Finding: f, By: "exception", Reason: fmt.Sprintf("data.%s.exception lists %q", ur.namespace, removeRulePrefix(ur.name))})
					continue
				}
			}
			rs, err := ur.query.Eval(ctx, rego.EvalParsedInput(input))
			if err != nil {
				return nil, nil, fmt.Errorf("rule %s: %w", ur.rule.ID, err)
			}
			for _, r := range rs {
				for _, ex := range r.Expressions {
					items, _ := ex.Value.([]any)
					for _, it := range items {
						f, err := newFinding(ur.rule, it, o)
						if err != nil {
							return nil, nil, err
						}
						out = append(out, hit{f, i})
					}
				}
			}
		}
	}
	return out, exc, nil
}

// suppression reports whether a finding is suppressed by the ignore list or the object's
// wavecheck.io/ignore annotation.
func (e *Engine) suppression(f Finding, o manifest.Object) (Suppressed, bool) {
	if e.ignore[f.Rule] {
		return Suppressed{Finding: f, By: "ignore", Reason: "rule ignored by configuration"}, true
	}
	ann := o.Annotations()
	list, _ := ann[AnnotationIgnore].(string)
	for _, id := range argocd.CSV(list) {
		if id == f.Rule || id == "*" || id == "all" {
			reason, _ := ann[AnnotationIgnoreReason].(string)
			if reason == "" {
				reason = "ignored by the " + AnnotationIgnore + " annotation"
			}
			return Suppressed{Finding: f, By: "annotation", Reason: reason}, true
		}
	}
	return Suppressed{}, false
}

func sortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool { return lessFinding(fs[i], fs[j]) })
}

func lessFinding(a, b Finding) bool {
	if a.File != b.File {
		return a.File < b.File
	}
	if a.Line != b.Line {
		return a.Line < b.Line
	}
	if ra, rb := a.Object.String(), b.Object.String(); ra != rb {
		return ra < rb
	}
	if a.Rule != b.Rule {
		return a.Rule < b.Rule
	}
	return a.Message < b.Message
}
