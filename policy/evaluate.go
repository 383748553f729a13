package policy

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/wavecheck/wavecheck/internal/argocd"
	"github.com/wavecheck/wavecheck/internal/manifest"
	"github.com/wavecheck/wavecheck/internal/parallel"
)

// Result is the outcome of one evaluation.
type Result struct {
	// Objects is the number of objects evaluated.
	Objects int `json:"objects"`
	// Findings are sorted in CompareFindings order.
	Findings []Finding `json:"findings"`
	// Suppressed are the findings removed by an ignore annotation, the ignore list or a
	// conftest exception, with the reason (sorted like Findings).
	Suppressed []Suppressed `json:"suppressed"`
}

// evaluation is the state of one Evaluate call: the objects, their data (data.wavecheck in a
// store of its own) and the AST of each object (the input of user rules). The Linter itself is
// only read.
type evaluation struct {
	linter *Linter
	objs   []manifest.Object
	data   *evalData
	inputs []ast.Value
	// nonEmpty are the candidate lists (data.wavecheck.sets) holding at least one object.
	nonEmpty map[string]bool
}

// App is what an Argo CD Application tells the rules beyond its objects: the destination
// namespace (objects without one are placed in it) and spec.syncPolicy.syncOptions, which
// Argo CD applies to every object of the sync (data.wavecheck.app.syncOptions).
type App struct {
	Namespace   string
	SyncOptions []string
}

// Evaluate lints the objects with every rule. It is safe to call concurrently.
func (e *Linter) Evaluate(ctx context.Context, objs []manifest.Object) (*Result, error) {
	return e.EvaluateApp(ctx, objs, nil)
}

// EvaluateApp is Evaluate for the objects of an Argo CD Application: app, when not nil,
// gives the namespace (instead of Options.Namespace) and the app-level sync options.
func (e *Linter) EvaluateApp(ctx context.Context, objs []manifest.Object, app *App) (*Result, error) {
	ctx, cancel := context.WithTimeout(ctx, e.timeout)
	defer cancel()

	ev, err := e.newEvaluation(objs, app)
	if err != nil {
		return nil, err
	}
	res := &Result{Objects: len(objs), Findings: []Finding{}, Suppressed: []Suppressed{}}
	var raw []hit
	if e.lazy != nil || len(e.builtin) > 0 {
		fs, err := ev.evalBuiltin(ctx)
		if err != nil {
			return nil, timeoutError(ctx, e.timeout, err)
		}
		raw = append(raw, fs...)
	}
	if len(e.user) > 0 {
		fs, exc, err := ev.evalUser(ctx)
		if err != nil {
			return nil, timeoutError(ctx, e.timeout, err)
		}
		raw = append(raw, fs...)
		res.Suppressed = append(res.Suppressed, exc...)
	}
	raw = append(raw, e.unknownIgnores(objs, raw)...)
	for _, h := range raw {
		if sev, ok := e.opts.Severity[h.Rule]; ok {
			h.Severity = sev
		}
		if s, ok := e.suppression(h.Finding, objs[h.obj]); ok {
			res.Suppressed = append(res.Suppressed, s)
			continue
		}
		res.Findings = append(res.Findings, h.Finding)
	}
	SortFindings(res.Findings)
	SortSuppressed(res.Suppressed)
	return res, nil
}

func timeoutError(ctx context.Context, d time.Duration, err error) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
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

// newEvaluation computes the Argo CD facts of the objects and builds the evaluation's
// data.wavecheck (see docs/policy.md for its shape).
func (e *Linter) newEvaluation(objs []manifest.Object, app *App) (*evaluation, error) {
	namespace := e.opts.Namespace
	syncOptions := []any{}
	if app != nil {
		if app.Namespace != "" {
			namespace = app.Namespace
		}
		for _, o := range app.SyncOptions {
			syncOptions = append(syncOptions, o)
		}
	}
	facts := argocd.AnalyzeAll(objs, argocd.Options{Version: e.version, Namespace: namespace})
	list := make([]any, len(objs))
	index := make(map[string]any, len(objs))
	lookup := make(map[string][]int, len(objs))
	for i, o := range objs {
		ns := o.Namespace()
		if ns == "" {
			ns = namespace
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
		return nil, err
	}
	lk := make(map[string]any, len(lookup))
	for k, v := range lookup {
		a := make([]any, len(v))
		for i, x := range v {
			a[i] = x
		}
		lk[k] = a
	}
	sets := candidateSets(objs, facts, lookup)
	nonEmpty := map[string]bool{}
	for k, v := range sets {
		if l, _ := v.([]any); len(l) > 0 {
			nonEmpty[k] = true
		}
	}
	doc := map[string]any{
		"objects":         list,
		"index":           index,
		"lookup":          lk,
		"sets":            sets,
		"namespace":       namespace,
		"app":             map[string]any{"syncOptions": syncOptions},
		"argocd_version":  versionDocument(e.version),
		"tracking_method": string(e.tracking),
	}
	v, err := ast.InterfaceToValue(doc)
	if err != nil {
		return nil, fmt.Errorf("encode objects: %w", err)
	}
	wc := v.(ast.Object)
	wc.Insert(ast.StringTerm("argocd"), ast.NewTerm(tablesValue()))
	return &evaluation{linter: e, objs: objs, data: newEvalData(e.base, wc), inputs: inputs, nonEmpty: nonEmpty}, nil
}
