package policy

import (
	"strings"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"
)

// deniedBuiltin reports whether a built-in function is removed from the sandbox: anything that
// reaches the network (http.send, net.* including DNS lookups) or the process environment
// (opa.runtime).
func deniedBuiltin(name string) bool {
	return name == "http.send" || name == "opa.runtime" || strings.HasPrefix(name, "net.")
}

var sandboxCaps = sync.OnceValue(func() *ast.Capabilities {
	c := ast.CapabilitiesForThisVersion()
	kept := c.Builtins[:0:0]
	for _, b := range c.Builtins {
		if !deniedBuiltin(b.Name) {
			kept = append(kept, b)
		}
	}
	c.Builtins = kept
	c.AllowNet = []string{} // empty: no host may be contacted
	return c
})

// sandboxCapabilities are the OPA capabilities every policy (built-in or user) is compiled
// with.
func sandboxCapabilities() *ast.Capabilities { return sandboxCaps() }
