// Command gen writes synthetic Argo CD apps for the benchmarks: N objects (about 20 % hooks,
// 10-30 waves, Deployments, Services, ConfigMaps, ServiceAccounts, Jobs, CRDs and CRs) as a plain
// directory, a Kustomize overlay over a base, and a Helm chart with many templates.
//
//	go run ./test/bench/gen -objects 500 -out /tmp/bench
//
// writes /tmp/bench/dir, /tmp/bench/kustomize/overlay (base in /tmp/bench/kustomize/base) and
// /tmp/bench/helm. The output is deterministic.
package main

import (
	"flag"
	"fmt"
	"log/slog"
	"os"
)

func main() {
	objects := flag.Int("objects", 500, "number of objects in each generated app")
	out := flag.String("out", "", "output directory (required; created)")
	flag.Parse()
	if *out == "" || *objects < 10 {
		fmt.Fprintln(os.Stderr, "usage: gen -objects N (>= 10) -out DIR")
		os.Exit(2)
	}
	if err := Generate(*out, *objects); err != nil {
		slog.Error("generate apps", "err", err)
		os.Exit(1)
	}
}
