// Package rules holds wavecheck's built-in Rego rule pack: one file per rule (package
// wavecheck.rules.<id with underscores>, rule metadata in its package METADATA), its unit tests
// in the matching _test.rego file, and the shared helpers in lib.rego (package wavecheck.lib).
package rules

import "embed"

// FS holds every built-in .rego file, tests included, and index.json (the rules' metadata and
// gates, generated from them: see policy.builtinIndex).
//
//go:embed *.rego index.json
var FS embed.FS

// AST is the rule pack (every .rego file but the tests) parsed, in the encoding of
// policy/internal/astcodec, generated with them: see policy.parseBuiltinFile.
//
//go:embed ast.bin
var AST string
