// Command gendocs writes docs/rules.md from the built-in rules' metadata
// (run it with `go generate ./policy`).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/wavecheck/wavecheck/policy"
)

func main() {
	out := flag.String("out", "../docs/rules.md", "file to write")
	examples := flag.String("examples", "testdata/e2e", "directory of the rules' end-to-end cases")
	flag.Parse()
	doc, err := policy.RulesDoc(context.Background(), *examples)
	if err == nil {
		// docs/rules.md is a checked-in document, readable by all like every file of the repository.
		err = os.WriteFile(*out, doc, 0o644) //nolint:gosec // G306: a public document, not a secret
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "gendocs: %v\n", err)
		os.Exit(1)
	}
}
