//go:build nohelm

package render

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/wavecheck/wavecheck/internal/manifest"
)

// The build without the Helm SDK (-tags nohelm, the image's entry binary): see helmlink.go.
// Each function here stands for the one of the same name in the build with Helm and refuses
// with a *NeedsHelmError before reading anything, so that the command can hand the run over.

// HelmLinked says whether this build links the Helm SDK (false with -tags nohelm).
const HelmLinked = false

func renderHelm(_ context.Context, b *bounds, dir string, _ Options) ([]manifest.Object, error) {
	name := b.rel(dir)
	if name == "." {
		name = filepath.Base(dir)
	}
	return nil, &NeedsHelmError{What: "the Helm chart " + name}
}

// PullChart needs Helm's repository and registry clients.
func PullChart(_ context.Context, src ChartSource, _ Options) (*PulledChart, error) {
	return nil, &NeedsHelmError{What: fmt.Sprintf("the chart %s from %s", src.Chart, src.RepoURL)}
}

// shimExecutable is the build with Helm next to this executable: kustomize runs it as helm for
// helmCharts, so a kustomization with helmCharts renders in this process all the same.
func shimExecutable() (string, error) {
	exe, err := CompanionPath()
	if err != nil {
		return "", &NeedsHelmError{What: "helmCharts"}
	}
	if _, err := os.Stat(exe); err != nil {
		return "", &NeedsHelmError{What: "helmCharts (" + HelmCompanion + " is not next to this executable)"}
	}
	return exe, nil
}

// HelmShim answers as helm only in the build with Helm; kustomize is never pointed here (see
// shimExecutable), so this is a misconfiguration: say so in helm's error format.
func HelmShim(_ context.Context, _ []string, _, stderr io.Writer) int {
	_, _ = fmt.Fprintf(stderr, "Error: %v\n", &NeedsHelmError{What: "serving as helm for kustomize"})
	return 1
}
