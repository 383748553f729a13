// Command flagonly is the reference of the start-up goal in test/bench/run.sh: a static Go
// binary that only parses its flags and prints a line, built like wavecheck (-trimpath -ldflags
// '-s -w', CGO_ENABLED=0). `wavecheck version` is measured against it.
package main

import (
	"flag"
	"fmt"
	"os"
)

func main() {
	verbose := flag.Bool("v", false, "verbose")
	flag.Parse()
	if _, err := fmt.Fprintln(os.Stdout, "flagonly", *verbose, flag.Args()); err != nil {
		os.Exit(1)
	}
}
