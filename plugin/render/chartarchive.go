//go:build !nohelm

package render

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
)

// maxArchiveDepth bounds subchart archives nested in subchart archives.
const maxArchiveDepth = 8

// isSubchartArchive reports whether a chart file is a subchart archive Helm's loader unpacks:
// charts/<name>.tgz, at any depth of directory subcharts (loader.LoadFiles; names starting
// with "_" or "." are skipped by Helm).
func isSubchartArchive(name string) bool {
	dir, base := path.Split(name)
	if path.Base(strings.TrimSuffix(dir, "/")) != "charts" || path.Ext(base) != ".tgz" {
		return false
	}
	return !strings.HasPrefix(base, "_") && !strings.HasPrefix(base, ".")
}

// scanChartArchive measures a vendored subchart archive as Helm will unpack it: every file's
// decompressed size counts against the per-file and total limits (Helm's own bound,
// archive.MaxDecompressedChartSize, is 100 MiB per archive, nested archives each getting
// their own), the YAML files are measured for alias bombs, and nested subchart archives are
// scanned in turn. file names the archive in errors.
func (b *bounds) scanChartArchive(file string, data []byte, depth int) error {
	if depth > maxArchiveDepth {
		return &Error{File: file, Err: fmt.Errorf("read chart archive: subchart archives nested deeper than %d", maxArchiveDepth)}
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		// Helm reports the broken archive when it loads it.
		return nil
	}
	defer func() { _ = zr.Close() }() // in-memory reader: nothing to lose
	tr := tar.NewReader(zr)
	for {
		hd, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return nil // Helm reports it
		}
		if hd.Typeflag != tar.TypeReg {
			continue
		}
		name := strings.ReplaceAll(hd.Name, "\\", "/")
		_, inner, _ := strings.Cut(name, "/")
		where := file + ":" + name
		content, err := io.ReadAll(io.LimitReader(tr, b.maxFile+1))
		if err != nil {
			return &Error{File: where, Err: fmt.Errorf("read chart archive: %w", err)}
		}
		if int64(len(content)) > b.maxFile {
			return &Error{File: where, Err: limitErr("the decompressed file is larger than the %d-byte limit", LimitFile, b.maxFile)}
		}
		if err := b.charge(int64(len(content))); err != nil {
			return &Error{File: where, Err: fmt.Errorf("decompressing the vendored subcharts: %w", err)}
		}
		if err := checkAliasExpansion(content, b.maxFile); err != nil {
			return &Error{File: where, Err: err}
		}
		if isSubchartArchive(inner) {
			if err := b.scanChartArchive(where, content, depth+1); err != nil {
				return err
			}
		}
	}
}
