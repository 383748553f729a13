package policy

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/wavecheck/wavecheck/internal/manifest"
)

// TestSandboxClassifiesEveryBuiltin keeps the allow-list reviewed: every built-in of the OPA
// version in go.mod is either allowed or denied with a reason, and both lists name only
// built-ins that exist. An OPA upgrade that adds a built-in fails here until someone decides.
func TestSandboxClassifiesEveryBuiltin(t *testing.T) {
	all := map[string]bool{}
	for _, b := range ast.CapabilitiesForThisVersion().Builtins {
		all[b.Name] = true
		_, denied := deniedBuiltins[b.Name]
		allowed := slices.Contains(allowedBuiltins, b.Name)
		switch {
		case allowed && denied:
			t.Errorf("built-in %s is both allowed and denied", b.Name)
		case !allowed && !denied:
			t.Errorf("built-in %s of this OPA version is neither allowed nor denied: review it in policy/sandbox.go", b.Name)
		}
	}
	for _, n := range allowedBuiltins {
		if !all[n] {
			t.Errorf("allowed built-in %s does not exist in this OPA version", n)
		}
	}
	for n := range deniedBuiltins {
		if !all[n] {
			t.Errorf("denied built-in %s does not exist in this OPA version", n)
		}
	}
	var inSandbox []string
	for _, b := range sandboxCapabilities().Builtins {
		inSandbox = append(inSandbox, b.Name)
	}
	for n := range deniedBuiltins {
		if slices.Contains(inSandbox, n) {
			t.Errorf("denied built-in %s is in the sandbox capabilities", n)
		}
	}
}

// TestSandboxDeniedBuiltinFailsToLoad: a policy calling a denied built-in fails to load, and
// the message names the file, the line, the built-in and why it is out.
func TestSandboxDeniedBuiltinFailsToLoad(t *testing.T) {
	calls := map[string]string{
		"http.send":              `http.send({"method": "get", "url": "http://127.0.0.1:1"})`,
		"net.lookup_ip_addr":     `net.lookup_ip_addr("example.com")`,
		"opa.runtime":            `opa.runtime()`,
		"json.match_schema":      `json.match_schema({}, {"$ref": "file:///etc/hostname"})`,
		"json.verify_schema":     `json.verify_schema({"$ref": "file:///dev/zero"})`,
		"net.cidr_expand":        `net.cidr_expand("10.0.0.0/8")`,
		"providers.aws.sign_req": `providers.aws.sign_req({}, {}, 0)`,
		"rand.intn":              `rand.intn("x", 10)`,
		"uuid.rfc4122":           `uuid.rfc4122("x")`,
	}
	if len(calls) != len(deniedBuiltins) {
		t.Fatalf("test calls %d denied built-ins, the sandbox denies %d: add a call", len(calls), len(deniedBuiltins))
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			src := fmt.Sprintf("package main\n\ndeny contains msg if {\n  msg := sprintf(\"%%v\", [%s])\n}\n", call)
			_, err := New(context.Background(), Options{NoBuiltin: true, Policies: []Source{{Name: "repo/.wavecheck", FS: fstest.MapFS{"p.rego": {Data: []byte(src)}}}}})
			want := "repo/.wavecheck/p.rego:4: undefined function " + name + ": wavecheck's policy sandbox leaves it out because " + deniedBuiltins[name]
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("New() error = %v, want it to contain %q", err, want)
			}
		})
	}
}

// TestSandboxSchemaRefReadsNoFile is the regression test of issue 13 item 3: a policy that
// resolves a JSON Schema $ref to a local file must not learn the file's content. Before the
// allow-list the policy loaded and the finding carried the file's value; /dev/zero ran out
// of memory past the time limit and /dev/stdin blocked.
func TestSandboxSchemaRefReadsNoFile(t *testing.T) {
	secret := filepath.Join(t.TempDir(), "secret.json")
	if err := os.WriteFile(secret, []byte(`{"type": "string", "const": "s3cr3t"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, ref := range []string{"file://" + secret, "file:///dev/zero", "file:///dev/stdin"} {
		t.Run(ref, func(t *testing.T) {
			src := fmt.Sprintf(`package main

deny contains msg if {
	ref := concat("", [%q, object.get(input, "suffix", "")])
	[ok, errs] := json.match_schema("x", {"$ref": ref})
	msg := sprintf("%%v %%v", [ok, errs])
}
`, ref)
			start := time.Now()
			e, err := New(context.Background(), Options{NoBuiltin: true, Timeout: time.Second,
				Policies: []Source{{Name: "policy", FS: fstest.MapFS{"p.rego": {Data: []byte(src)}}}}})
			if err == nil {
				if ref != "file://"+secret {
					t.Fatalf("New() loaded a policy resolving %s", ref) // evaluating it would hang or exhaust memory
				}
				res, err := e.Evaluate(context.Background(), []manifest.Object{cm("a", nil, 1)})
				t.Fatalf("New() loaded a policy resolving a file:// $ref; Evaluate() = %+v, %v", res, err)
			}
			if !strings.Contains(err.Error(), "undefined function json.match_schema") || !strings.Contains(err.Error(), "file:// reads local files") {
				t.Errorf("New() error = %v, want the sandbox refusal of json.match_schema", err)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("refusal took %v", d)
			}
		})
	}
}

// TestSourceLimits: a Source's Limits bound each file, all files together and their number,
// each with an error naming the limit.
func TestSourceLimits(t *testing.T) {
	rule := func(n int) []byte {
		return []byte(fmt.Sprintf("package main\n\nwarn_%d contains \"x\" if { input.kind == \"Pod\" }\n", n))
	}
	fsys := fstest.MapFS{"a.rego": {Data: rule(1)}, "b.rego": {Data: rule(2)}, "c.rego": {Data: rule(3)}}
	size := int64(len(rule(1)))
	tests := []struct {
		name   string
		limits Limits
		want   string
	}{
		{name: "within", limits: Limits{FileBytes: size, TotalBytes: 3 * size, Files: 3}},
		{name: "per file", limits: Limits{FileBytes: size - 1}, want: fmt.Sprintf("read policy repo/a.rego: at least %d bytes: over the limit of %d bytes per policy file", size, size-1)},
		{name: "total", limits: Limits{TotalBytes: 2*size + 1}, want: fmt.Sprintf("read policy repo/c.rego: over the limit of %d bytes for all policy files together (%d read before this one)", 2*size+1, 2*size)},
		{name: "files", limits: Limits{Files: 2}, want: "read policy repo/c.rego: more than 2 policy files"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(context.Background(), Options{NoBuiltin: true, Policies: []Source{{Name: "repo", FS: fsys, Limits: tt.limits}}})
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New() error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}
