package conformance_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/argoproj/argo-cd/v3/util/versions"
	"github.com/wavecheck/wavecheck/plugin/render"
)

// chartVersionCases is how many (targetRevision, versions) pairs TestChartVersionResolution
// generates.
const chartVersionCases = 5000

// upstreamResolve is reposerver/repository.newHelmClientResolveRevision (v3.6.1) once the
// repository's versions are listed: an exact version is returned as written
// (versions.IsVersion), anything else goes to versions.MaxVersion(revision, tags, "").
func upstreamResolve(revision string, tags []string) (string, error) {
	if versions.IsVersion(revision) {
		return revision, nil
	}
	return versions.MaxVersion(revision, tags, "")
}

// randVersion is a version string as chart repositories and registries hold them: full and
// partial semver, a v prefix, prereleases and build metadata, and strings that are not semver.
func randVersion(r *rand.Rand) string {
	n := func() int { return []int{0, 1, 2, 3, 10, 12}[r.IntN(6)] }
	switch r.IntN(12) {
	case 0:
		return fmt.Sprintf("%d.%d", n(), n())
	case 1:
		return fmt.Sprintf("v%d.%d.%d", n(), n(), n())
	case 2:
		return fmt.Sprintf("%d.%d.%d-%s", n(), n(), n(), []string{"rc.1", "alpha", "0", "beta.2", "rc.10"}[r.IntN(5)])
	case 3:
		return fmt.Sprintf("%d.%d.%d+%s", n(), n(), n(), []string{"build.1", "sha.abc", "20240101"}[r.IntN(3)])
	case 4:
		return []string{"latest", "stable", "2024.03-LTS-RC19", "1.2.3.4", "", "01.2.3", "1.2.3-", "main"}[r.IntN(8)]
	case 5:
		return fmt.Sprintf("%d", n())
	default:
		return fmt.Sprintf("%d.%d.%d", n(), n(), n())
	}
}

// randRevision is a targetRevision: an exact version, one of the versions offered, a
// constraint of every operator Masterminds/semver knows, combinations, and non-constraints.
func randRevision(r *rand.Rand, tags []string) string {
	n := func() int { return []int{0, 1, 2, 3, 10, 12}[r.IntN(6)] }
	switch r.IntN(14) {
	case 0:
		if len(tags) > 0 {
			return tags[r.IntN(len(tags))]
		}
		return "*"
	case 1:
		return randVersion(r)
	case 2:
		return fmt.Sprintf("%d.*", n())
	case 3:
		return fmt.Sprintf("%d.%d.x", n(), n())
	case 4:
		return fmt.Sprintf("~%d.%d", n(), n())
	case 5:
		return fmt.Sprintf("^%d.%d.%d", n(), n(), n())
	case 6:
		return fmt.Sprintf(">=%d.%d <%d", n(), n(), n())
	case 7:
		return fmt.Sprintf(">%d.%d.%d-0", n(), n(), n())
	case 8:
		return fmt.Sprintf("%d.%d - %d.%d", n(), n(), n(), n())
	case 9:
		return fmt.Sprintf("^%d || ~%d.%d", n(), n(), n())
	case 10:
		return fmt.Sprintf("!=%d.%d.%d", n(), n(), n())
	case 11:
		return []string{"*", "", "x", "latest", "HEAD", ">= 1.0, < 3", "=1.2.3", "<=2", ">=1.0.0-rc.1"}[r.IntN(9)]
	case 12:
		return fmt.Sprintf("%d.%d.*", n(), n())
	default:
		return fmt.Sprintf("<%d.%d", n(), n())
	}
}

// TestChartVersionResolution pins render.ResolveChartVersion, the version wavecheck fetches
// for a chart's targetRevision, to the repo-server's resolution over generated revisions and
// version lists: same version, or both an error.
func TestChartVersionResolution(t *testing.T) {
	r := rand.New(rand.NewPCG(12, 3))
	resolved, failed := 0, 0
	for i := range chartVersionCases {
		tags := make([]string, r.IntN(8))
		for j := range tags {
			tags[j] = randVersion(r)
		}
		rev := randRevision(r, tags)
		want, wantErr := upstreamResolve(rev, tags)
		got, gotErr := render.ResolveChartVersion(rev, tags)
		if (wantErr != nil) != (gotErr != nil) || got != want {
			t.Errorf("case %d: targetRevision %q over %q: wavecheck %q (err %v), Argo CD %q (err %v)", i, rev, tags, got, gotErr, want, wantErr)
			continue
		}
		if wantErr != nil {
			failed++
		} else {
			resolved++
		}
	}
	t.Logf("%d cases: %d resolved, %d refused by both", chartVersionCases, resolved, failed)
	if resolved < chartVersionCases/3 || failed < chartVersionCases/10 {
		t.Errorf("the generator is lopsided: %d resolved, %d refused", resolved, failed)
	}
}
