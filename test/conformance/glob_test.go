package conformance_test

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/argoproj/argo-cd/v3/util/glob"

	"github.com/wavecheck/wavecheck/plugin/render"
)

// globCases is how many generated patterns TestDirectoryGlobs tries, each against globPaths
// generated paths.
const (
	globCases = 3000
	globPaths = 8
)

var (
	// Pieces of a generated glob: literals, separators, wildcards (Argo CD's patterns have no
	// separators, so "*" and "**" also match "/"), alternatives, classes, escapes and
	// malformed pieces.
	globPieces = []string{"a", "b", "c", ".yaml", "/", "*", "**", "?", "{a,b}", "{a/*,c}", "{,b}", "[ab]", "[!a]", "[a-c]", "\\*", "\\?", "-", "{", "}", "[", "]", ","}
	// Pieces of a generated relative path.
	pathPieces = []string{"a", "b", "c", "/", ".yaml", "*", "?", "-", "ab", "a/b"}
)

func generate(r *rand.Rand, pieces []string, maxLen int) string {
	var sb strings.Builder
	for range 1 + r.IntN(maxLen) {
		sb.WriteString(pieces[r.IntN(len(pieces))])
	}
	return sb.String()
}

// TestDirectoryGlobs checks that wavecheck's include/exclude glob of a directory app
// (plugin/render.MatchGlob) selects the same files as Argo CD v3.6.1's repo-server, which
// matches them with util/glob.Match (gobwas/glob, no separators) in
// getPotentiallyValidManifestFile. A pattern Argo CD cannot compile matches nothing there (it
// logs and returns false); wavecheck refuses it with an error instead, so that a typo cannot
// empty an app: both must agree on which patterns are malformed.
func TestDirectoryGlobs(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 17))
	bad := 0
	matched := 0
	for range globCases {
		pattern := generate(r, globPieces, 6)
		for range globPaths {
			path := generate(r, pathPieces, 5)
			want, theirErr := glob.MatchWithError(pattern, path)
			got, ourErr := render.MatchGlob(pattern, path)
			if (theirErr != nil) != (ourErr != nil) {
				t.Fatalf("pattern %q: Argo CD compile error %v, wavecheck %v", pattern, theirErr, ourErr)
			}
			if theirErr != nil {
				bad++
				break
			}
			if got != want {
				t.Fatalf("pattern %q, path %q: Argo CD matches %v, wavecheck %v", pattern, path, want, got)
			}
			if want {
				matched++
			}
		}
	}
	t.Logf("%d patterns (%d malformed), %d matching pairs", globCases, bad, matched)
	if bad == 0 || matched == 0 {
		t.Errorf("the generator covers too little: %d malformed patterns, %d matches", bad, matched)
	}
}
