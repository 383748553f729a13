package policy

import (
	"slices"
	"strings"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"
)

// The sandbox every policy (built-in, admin or repository) is compiled with is an ALLOW-LIST of
// OPA built-in functions: a built-in OPA adds in a later version stays out until it is reviewed
// and listed here (TestSandboxClassifiesEveryBuiltin fails until then).
//
// A built-in is allowed when its result depends only on its arguments (and, for time.*, on the
// clock and the time zone database, which Go reads by name with ".." and absolute names
// refused: time.LoadLocation). Nothing allowed reads a file, the network, the environment or
// the process: a repository's policy runs inside Argo CD's repo-server.
var allowedBuiltins = []string{
	// Operators, comparison, arithmetic, sets, aggregates.
	"abs", "all", "and", "any", "assign", "ceil", "count", "div", "eq", "equal", "floor", "gt", "gte",
	"intersection", "lt", "lte", "max", "min", "minus", "mul", "neq", "or", "plus", "product", "rem",
	"round", "sort", "sum", "union", "set_diff",
	// The compiler's own helpers: `in`, print, template strings, `opa test`.
	"internal.member_2", "internal.member_3", "internal.print", "internal.template_string",
	"internal.test_case", "print", "trace",
	// Arrays, objects, types, casts.
	"array.concat", "array.flatten", "array.reverse", "array.slice",
	"object.filter", "object.get", "object.keys", "object.remove", "object.subset", "object.union",
	"object.union_n", "walk",
	"is_array", "is_boolean", "is_null", "is_number", "is_object", "is_set", "is_string", "type_name",
	"cast_array", "cast_boolean", "cast_null", "cast_object", "cast_set", "cast_string", "to_number",
	"numbers.range", "numbers.range_step", // both check the evaluation's cancellation while building
	"bits.and", "bits.lsh", "bits.negate", "bits.or", "bits.rsh", "bits.xor",
	"graph.reachable", "graph.reachable_paths",
	// Strings and regular expressions (RE2: linear time).
	"concat", "contains", "endswith", "format_int", "indexof", "indexof_n", "lower", "replace",
	"split", "sprintf", "startswith", "strings.any_prefix_match", "strings.any_suffix_match",
	"strings.count", "strings.render_template", "strings.replace_n", "strings.reverse",
	"strings.split_n", "substring", "trim", "trim_left", "trim_prefix", "trim_right", "trim_space",
	"trim_suffix", "upper",
	"glob.match", "glob.quote_meta", "re_match", "regex.find_all_string_submatch_n", "regex.find_n",
	"regex.globs_match", "regex.is_valid", "regex.match", "regex.replace", "regex.split",
	"regex.template_match",
	// Encodings. yaml.unmarshal refuses alias bombs (go-yaml's excessive aliasing check).
	"base64.decode", "base64.encode", "base64.is_valid", "base64url.decode", "base64url.encode",
	"base64url.encode_no_pad", "hex.decode", "hex.encode",
	"json.filter", "json.is_valid", "json.marshal", "json.marshal_with_options", "json.patch",
	"json.remove", "json.unmarshal", "yaml.is_valid", "yaml.marshal", "yaml.unmarshal",
	"urlquery.decode", "urlquery.decode_object", "urlquery.encode", "urlquery.encode_object",
	"uri.is_valid", "uri.parse", "units.parse", "units.parse_bytes", "semver.compare",
	"semver.is_valid", "uuid.parse",
	// CIDRs as values (no lookup; net.cidr_expand is out, see deniedBuiltins).
	"net.cidr_contains", "net.cidr_contains_matches", "net.cidr_intersects", "net.cidr_is_valid",
	"net.cidr_merge", "net.cidr_overlap",
	// Hashes and certificate parsing of the arguments only (the verify functions take their
	// roots from the arguments; the system pool and CA files are read only by http.send).
	"crypto.hmac.equal", "crypto.hmac.md5", "crypto.hmac.sha1", "crypto.hmac.sha256",
	"crypto.hmac.sha512", "crypto.md5", "crypto.sha1", "crypto.sha256", "crypto.parse_private_keys",
	"crypto.x509.parse_and_verify_certificates", "crypto.x509.parse_and_verify_certificates_with_options",
	"crypto.x509.parse_certificate_request", "crypto.x509.parse_certificates",
	"crypto.x509.parse_keypair", "crypto.x509.parse_rsa_private_key",
	// JWTs: keys and JWKS are arguments (jwk.ParseString); nothing is fetched.
	"io.jwt.decode", "io.jwt.decode_verify", "io.jwt.encode_sign", "io.jwt.encode_sign_raw",
	"io.jwt.verify_eddsa", "io.jwt.verify_es256", "io.jwt.verify_es384", "io.jwt.verify_es512",
	"io.jwt.verify_hs256", "io.jwt.verify_hs384", "io.jwt.verify_hs512", "io.jwt.verify_ps256",
	"io.jwt.verify_ps384", "io.jwt.verify_ps512", "io.jwt.verify_rs256", "io.jwt.verify_rs384",
	"io.jwt.verify_rs512",
	// GraphQL and Rego parsing of the arguments.
	"graphql.is_valid", "graphql.parse", "graphql.parse_and_verify", "graphql.parse_query",
	"graphql.parse_schema", "graphql.schema_is_valid", "rego.parse_module",
	"rego.metadata.chain", "rego.metadata.rule",
	// The clock: policies compare dates (an exception valid until a day); the time zone names
	// are resolved by Go, which refuses paths.
	"time.add_date", "time.clock", "time.date", "time.diff", "time.format", "time.now_ns",
	"time.parse_duration_ns", "time.parse_ns", "time.parse_rfc3339_ns", "time.weekday",
}

// deniedBuiltins are the built-ins of this OPA version left out of the sandbox, each with the
// reason shown when a policy calls it.
var deniedBuiltins = map[string]string{
	"http.send":              "it reaches the network (and reads CA files and environment variables)",
	"net.lookup_ip_addr":     "it reaches the network (DNS)",
	"opa.runtime":            "it reads the process environment",
	"json.match_schema":      "it resolves JSON Schema $ref URLs (file:// reads local files, http:// the network)",
	"json.verify_schema":     "it resolves JSON Schema $ref URLs (file:// reads local files, http:// the network)",
	"net.cidr_expand":        "it allocates every address of a CIDR at once (a /8 is 16 million strings)",
	"providers.aws.sign_req": "it signs requests with credentials; no use in a manifest policy",
	"rand.intn":              "it is random: the same manifests must give the same report",
	"uuid.rfc4122":           "it is random: the same manifests must give the same report",
}

var sandboxCaps = sync.OnceValue(func() *ast.Capabilities {
	c := ast.CapabilitiesForThisVersion()
	c.Builtins = slices.DeleteFunc(c.Builtins, func(b *ast.Builtin) bool {
		return !slices.Contains(allowedBuiltins, b.Name)
	})
	c.AllowNet = []string{} // empty: no host may be contacted
	return c
})

// sandboxCapabilities are the OPA capabilities every policy (built-in or user) is compiled
// with.
func sandboxCapabilities() *ast.Capabilities { return sandboxCaps() }

// explainUndefined adds why a built-in is missing to OPA's "undefined function NAME" message.
func explainUndefined(msg string) string {
	name, ok := strings.CutPrefix(msg, "undefined function ")
	if !ok {
		return msg
	}
	if why, denied := deniedBuiltins[name]; denied {
		return msg + ": wavecheck's policy sandbox leaves it out because " + why
	}
	if slices.ContainsFunc(ast.CapabilitiesForThisVersion().Builtins, func(b *ast.Builtin) bool { return b.Name == name }) {
		return msg + ": wavecheck's policy sandbox allows only reviewed pure built-ins (policy/sandbox.go)"
	}
	return msg
}
