package policy

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/loader"

	"github.com/wavecheck/wavecheck/policy/rules"
)

// Source is a policy directory as a file system; Name prefixes file names in messages.
type Source struct {
	Name string
	FS   fs.FS
	// Limits bound what is read from FS (zero: no limit). Set them for policies a repository
	// controls.
	Limits Limits
}

// Limits bound the policy files read from one Source.
type Limits struct {
	FileBytes  int64 // bytes of one .rego file
	TotalBytes int64 // bytes of every .rego file together
	Files      int   // number of .rego files
}

// module is one parsed Rego file.
type module struct {
	file    string // name shown to users (Source.Name joined with the path)
	mod     *ast.Module
	test    bool // a _test.rego file
	builtin bool
}

const builtinPrefix = "builtin:"

// sources turns Options.PolicyDirs and Options.Policies into sources.
func (o Options) sources() ([]Source, error) {
	var out []Source
	for _, d := range o.PolicyDirs {
		st, err := os.Stat(d)
		if err != nil {
			return nil, fmt.Errorf("load policy dir: %w", err)
		}
		if !st.IsDir() {
			// conftest accepts a single file: serve its directory, filtered to it.
			out = append(out, Source{Name: filepath.Dir(d), FS: singleFileFS{FS: os.DirFS(filepath.Dir(d)), name: filepath.Base(d)}})
			continue
		}
		out = append(out, Source{Name: d, FS: os.DirFS(d)})
	}
	return append(out, o.Policies...), nil
}

// singleFileFS exposes one file of a directory.
type singleFileFS struct {
	fs.FS
	name string
}

func (s singleFileFS) ReadDir(name string) ([]fs.DirEntry, error) {
	ents, err := fs.ReadDir(s.FS, name)
	if err != nil {
		return nil, err
	}
	if name != "." {
		return nil, nil
	}
	return slices.DeleteFunc(ents, func(e fs.DirEntry) bool { return e.Name() != s.name }), nil
}

// builtinModules parses the embedded rule pack.
func builtinModules(withTests bool) ([]module, error) {
	return parseFS(Source{Name: builtinPrefix + "policy/rules", FS: rules.FS}, true, withTests, ast.RegoV1)
}

// load parses the built-in rule pack and the user policies (with their _test.rego files when
// builtinTests or userTests), compiles them together and reads the data files. It returns every
// module, the user modules alone, the compiler and the data document.
func (o Options) load(builtinTests, userTests bool) (mods, userMods []module, compiler *ast.Compiler, data map[string]any, err error) {
	if mods, userMods, data, err = o.parse(builtinTests, userTests); err != nil {
		return nil, nil, nil, nil, err
	}
	if compiler, err = compile(mods); err != nil {
		return nil, nil, nil, nil, err
	}
	return mods, userMods, compiler, data, nil
}

// parse is load without the compilation.
func (o Options) parse(builtinTests, userTests bool) (mods, userMods []module, data map[string]any, err error) {
	if mods, err = builtinModules(builtinTests); err != nil {
		return nil, nil, nil, err
	}
	if userMods, data, err = o.parseUser(userTests); err != nil {
		return nil, nil, nil, err
	}
	return append(mods, userMods...), userMods, data, nil
}

// parseUser parses the user policies and reads the data files.
func (o Options) parseUser(userTests bool) (userMods []module, data map[string]any, err error) {
	srcs, err := o.sources()
	if err != nil {
		return nil, nil, err
	}
	version, err := o.regoVersion()
	if err != nil {
		return nil, nil, err
	}
	if userMods, err = loadModules(srcs, userTests, version); err != nil {
		return nil, nil, err
	}
	if data, err = loadData(o.DataFiles); err != nil {
		return nil, nil, err
	}
	return userMods, data, nil
}

// CheckRegoVersion reports whether s is a Rego version Options.RegoVersion accepts ("", "v1"
// or "v0"), for settings read before a linter is built.
func CheckRegoVersion(s string) error {
	_, err := Options{RegoVersion: s}.regoVersion()
	return err
}

// regoVersion parses Options.RegoVersion ("v1", the default, or "v0").
func (o Options) regoVersion() (ast.RegoVersion, error) {
	switch o.RegoVersion {
	case "", "v1":
		return ast.RegoV1, nil
	case "v0":
		return ast.RegoV0, nil
	}
	return ast.RegoUndefined, fmt.Errorf("parse rego version: %q is not v0 or v1", o.RegoVersion)
}

// loadModules parses every .rego file below each source (recursively, like conftest and
// opa), sorted by file name.
func loadModules(srcs []Source, withTests bool, version ast.RegoVersion) ([]module, error) {
	var out []module
	for _, s := range srcs {
		ms, err := parseFS(s, false, withTests, version)
		if err != nil {
			return nil, err
		}
		out = append(out, ms...)
	}
	return out, nil
}

func parseFS(s Source, builtin, withTests bool, version ast.RegoVersion) ([]module, error) {
	var out []module
	var budget budget
	err := fs.WalkDir(s.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(p, ".rego") {
			return nil
		}
		test := strings.HasSuffix(p, "_test.rego")
		if test && !withTests {
			return nil
		}
		name := path.Join(filepath.ToSlash(s.Name), p)
		if builtin {
			name = s.Name + "/" + p
		}
		src, err := budget.read(s.FS, p, s.Limits)
		if err != nil {
			return fmt.Errorf("read policy %s: %w", name, err)
		}
		m, err := ast.ParseModuleWithOpts(name, string(src), ast.ParserOptions{
			ProcessAnnotation: true,
			RegoVersion:       version,
			Capabilities:      sandboxCapabilities(),
		})
		if err != nil {
			if !builtin && version == ast.RegoV1 && isV0(name, src) {
				return fmt.Errorf("parse policy: %w\n%s", formatRegoError(err), v0Hint(name))
			}
			return fmt.Errorf("parse policy: %w", formatRegoError(err))
		}
		if !builtin && isReserved(m.Package.Path) {
			return fmt.Errorf("load policy %s:%d: package %s is reserved for wavecheck (data.wavecheck holds the objects)",
				name, m.Package.Location.Row, strings.TrimPrefix(m.Package.Path.String(), "data."))
		}
		out = append(out, module{file: name, mod: m, test: test, builtin: builtin})
		return nil
	})
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("load policies from %s: %w", s.Name, err)
		}
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool { return out[i].file < out[j].file })
	return out, nil
}

// isV0 reports whether a policy that Rego v1 refuses parses as Rego v0 (deny[msg] { ... }
// without if/contains): conftest before 0.60 and OPA before 1.0 wrote it.
func isV0(name string, src []byte) bool {
	_, err := ast.ParseModuleWithOpts(name, string(src), ast.ParserOptions{RegoVersion: ast.RegoV0, Capabilities: sandboxCapabilities()})
	return err == nil
}

// v0Hint is the fix for a Rego v0 policy read as v1.
func v0Hint(name string) string {
	return name + " is Rego v0 (pre-1.0) syntax: pass --rego-version v0, or convert it with opa fmt --write --v0-v1"
}

func isReserved(p ast.Ref) bool {
	return len(p) >= 2 && p[1].Equal(ast.StringTerm("wavecheck"))
}

// formatRegoError renders OPA parse/compile errors as "file:line: message" lines.
func formatRegoError(err error) error {
	var errs ast.Errors
	if !errors.As(err, &errs) {
		return err
	}
	lines := make([]string, 0, len(errs))
	for _, e := range errs {
		loc := ""
		if e.Location != nil {
			loc = fmt.Sprintf("%s:%d: ", e.Location.File, e.Location.Row)
		}
		lines = append(lines, loc+explainUndefined(e.Message))
	}
	return errors.New(strings.Join(lines, "\n"))
}

// compile compiles the modules with the sandbox capabilities.
func compile(mods []module) (*ast.Compiler, error) { return compileSkipping(mods) }

// compileSkipping is compile without the given compiler stages.
func compileSkipping(mods []module, skip ...ast.StageID) (*ast.Compiler, error) {
	set := make(map[string]*ast.Module, len(mods))
	for _, m := range mods {
		set[m.file] = m.mod
	}
	c := ast.NewCompiler().
		WithCapabilities(sandboxCapabilities()).
		WithDefaultRegoVersion(ast.RegoV1).
		WithEnablePrintStatements(true).
		WithSkipStages(skip...)
	c.Compile(set)
	if c.Failed() {
		return nil, fmt.Errorf("compile policies:\n%w", formatRegoError(c.Errors))
	}
	return c, nil
}

// checkOnlyStages are OPA compiler stages (v1 ast.Compiler) that only check the modules: they
// report errors and change nothing evaluation reads. The gated compilation of the built-in
// rules skips them (compileTrusted): the pack is fixed at build time, and
// TestBuiltinPackPassesChecks compiles all of it with every stage, as New does with user
// policies. They were 17-24 % of BenchmarkFirstEvaluation/*/gated (type checking the largest).
var checkOnlyStages = []ast.StageID{
	ast.StageCheckUnusedImports, ast.StageCheckKeywordOverrides, ast.StageCheckDuplicateImports,
	ast.StageCheckVoidCalls, ast.StageCheckRuleConflicts, ast.StageCheckUndefinedFuncs,
	ast.StageCheckSafetyRuleHeads, ast.StageCheckRecursion, ast.StageCheckTypes,
	ast.StageCheckUnsafeBuiltins, ast.StageCheckDeprecatedBuiltins, ast.StageBuildRequiredCapabilities,
}

// compileTrusted is compile without checkOnlyStages, for the built-in rules only: user policies
// always go through compile.
func compileTrusted(mods []module) (*ast.Compiler, error) {
	return compileSkipping(mods, checkOnlyStages...)
}

// loadData reads --data files (JSON or YAML; directories are walked for .json, .yaml and .yml
// files, as conftest does) and merges them at the root of data.
func loadData(paths []string) (map[string]any, error) {
	if len(paths) == 0 {
		return map[string]any{}, nil
	}
	files, err := loader.FilteredPaths(paths, func(_ string, info os.FileInfo, _ int) bool {
		if info.IsDir() {
			return false
		}
		ext := filepath.Ext(info.Name())
		return ext != ".json" && ext != ".yaml" && ext != ".yml"
	})
	if err != nil {
		return nil, fmt.Errorf("load data: %w", err)
	}
	res, err := loader.NewFileLoader().All(files)
	if err != nil {
		return nil, fmt.Errorf("load data: %w", err)
	}
	if _, ok := res.Documents["wavecheck"]; ok {
		return nil, fmt.Errorf("load data: the top-level key \"wavecheck\" is reserved (data.wavecheck holds the objects)")
	}
	return res.Documents, nil
}
