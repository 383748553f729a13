package render

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/wavecheck/wavecheck/internal/manifest"
)

// skipMarker in a file makes Argo CD skip it when rendering a directory.
const skipMarker = "+argocd:skip-file-rendering"

var manifestFile = regexp.MustCompile(`\.(yaml|yml|json)$`)

// renderDirectory reads a plain directory of manifests as Argo CD's repo-server does:
// .yaml/.yml/.json files, non-recursive unless asked, include/exclude globs on the path relative
// to the app directory, files carrying the skip marker ignored.
func renderDirectory(ctx context.Context, b *bounds, dir string, opts Options) ([]manifest.Object, error) {
	inc, err := compileGlobs(opts.Include)
	if err != nil {
		return nil, fmt.Errorf("parse --include: %w", err)
	}
	exc, err := compileGlobs(opts.Exclude)
	if err != nil {
		return nil, fmt.Errorf("parse --exclude: %w", err)
	}
	var out []manifest.Object
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return &Error{File: b.rel(p), Err: fmt.Errorf("walk app dir: %w", unwrapPathError(err))}
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.IsDir() {
			if p != dir && (!opts.Recurse || d.Name() == ".git") {
				return filepath.SkipDir
			}
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if strings.HasSuffix(d.Name(), ".jsonnet") || strings.HasSuffix(d.Name(), ".libsonnet") {
			if matchAny(exc, rel) || (len(inc) > 0 && !matchAny(inc, rel)) {
				return nil
			}
			return &Error{File: b.rel(p), Err: errors.New("jsonnet files are not supported: exclude them with --exclude or render them before wavecheck")}
		}
		if !manifestFile.MatchString(d.Name()) {
			return nil
		}
		if matchAny(exc, rel) || (len(inc) > 0 && !matchAny(inc, rel)) {
			return nil
		}
		b.step.set("the read of %s", b.rel(p))
		data, err := b.readFile(p)
		if err != nil {
			return err
		}
		if bytes.Contains(data, []byte(skipMarker)) {
			return nil
		}
		if err := b.chargeRendered(int64(len(data))); err != nil {
			return &Error{File: b.rel(p), Err: err}
		}
		b.step.set("the decoding of %s", b.rel(p))
		objs, err := decodeStream(data, b.rel(p), true, b.maxFile)
		if err != nil {
			return err
		}
		out = append(out, objs...)
		if len(out) > opts.maxObjects() {
			return &Error{File: b.rel(p), Err: limitErr("the app renders more than the %d-object limit", LimitObjects, opts.maxObjects())}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// compileGlobs turns Argo CD style globs ("*.yaml", "{a.yaml,b/*.yml}") into matchers. As in
// Argo CD (gobwas/glob without separators), "*" also matches "/".
func compileGlobs(patterns []string) ([]*regexp.Regexp, error) {
	var res []*regexp.Regexp
	for _, p := range patterns {
		if p == "" {
			continue
		}
		re, err := globRegexp(p)
		if err != nil {
			return nil, fmt.Errorf("glob %q: %w", p, err)
		}
		res = append(res, re)
	}
	return res, nil
}

func globRegexp(p string) (*regexp.Regexp, error) {
	var sb strings.Builder
	sb.WriteString("^")
	depth := 0
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch c {
		case '*':
			sb.WriteString(".*")
		case '?':
			sb.WriteString(".")
		case '{':
			depth++
			sb.WriteString("(?:")
		case '}':
			if depth == 0 {
				return nil, errors.New("unbalanced }")
			}
			depth--
			sb.WriteString(")")
		case ',':
			if depth > 0 {
				sb.WriteString("|")
			} else {
				sb.WriteString(",")
			}
		case '[':
			j := strings.IndexByte(p[i:], ']')
			if j < 0 {
				return nil, errors.New("unbalanced [")
			}
			class := p[i+1 : i+j]
			if strings.HasPrefix(class, "!") {
				class = "^" + class[1:]
			}
			sb.WriteString("[" + class + "]")
			i += j
		case '\\':
			if i+1 < len(p) {
				i++
				sb.WriteString(regexp.QuoteMeta(string(p[i])))
			}
		default:
			sb.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	if depth != 0 {
		return nil, errors.New("unbalanced {")
	}
	sb.WriteString("$")
	return regexp.Compile(sb.String())
}

func matchAny(res []*regexp.Regexp, s string) bool {
	for _, re := range res {
		if re.MatchString(s) {
			return true
		}
	}
	return false
}
