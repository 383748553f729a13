package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Platform is a GOOS/GOARCH pair.
type Platform struct{ OS, Arch string }

func (p Platform) String() string { return p.OS + "/" + p.Arch }

// ParsePlatform parses "linux/amd64".
func ParsePlatform(s string) (Platform, error) {
	os, arch, ok := strings.Cut(s, "/")
	if !ok || os == "" || arch == "" || strings.Contains(arch, "/") {
		return Platform{}, fmt.Errorf("platform %q: want GOOS/GOARCH, e.g. linux/amd64", s)
	}
	return Platform{os, arch}, nil
}

// BuildCommand is the go build that makes one release binary: static (CGO_ENABLED=0),
// -trimpath, the version stamped with -X. tags are Go build tags (the image's sidecar builds).
func BuildCommand(ctx context.Context, root string, cfg *Config, version string, p Platform, tags []string, out string) *exec.Cmd {
	ldflags := append(append([]string{}, cfg.Ldflags...), "-X", cfg.VersionVariable+"="+version)
	args := []string{"build", "-trimpath", "-ldflags", strings.Join(ldflags, " ")}
	if len(tags) > 0 {
		args = append(args, "-tags", strings.Join(tags, ","))
	}
	args = append(args, "-o", out, cfg.Main)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+p.OS, "GOARCH="+p.Arch, "GOFLAGS=-buildvcs=false")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	return cmd
}

// ArchiveName is <project>_<version>_<os>_<arch>.tar.gz (version without its leading v, as
// goreleaser names them).
func ArchiveName(cfg *Config, version string, p Platform) string {
	return fmt.Sprintf("%s_%s_%s_%s", cfg.Project, strings.TrimPrefix(version, "v"), p.OS, p.Arch)
}

// Package writes, for each platform's binary, <name>.tar.gz (the binary and the archive files)
// and <name>.cdx.json (its SBOM) into out, then SHA256SUMS over all of them. Everything is
// reproducible: entries in a fixed order, times set to epoch, owner 0, no gzip name or time.
func Package(root string, cfg *Config, version string, binaries map[Platform]string, out string, epoch time.Time) ([]string, error) {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, err
	}
	platforms := make([]Platform, 0, len(binaries))
	for p := range binaries {
		platforms = append(platforms, p)
	}
	sort.Slice(platforms, func(i, j int) bool { return platforms[i].String() < platforms[j].String() })
	var files []string
	for _, p := range platforms {
		name := ArchiveName(cfg, version, p)
		entries := []archiveEntry{{name: cfg.Project, src: binaries[p], mode: 0o755}}
		for _, f := range cfg.Archive.Files {
			entries = append(entries, archiveEntry{name: f, src: filepath.Join(root, f), mode: 0o644})
		}
		tgz, err := tarGz(entries, epoch)
		if err != nil {
			return nil, fmt.Errorf("archive %s: %w", name, err)
		}
		sbom, err := SBOM(binaries[p], version, epoch)
		if err != nil {
			return nil, err
		}
		for file, body := range map[string][]byte{name + ".tar.gz": tgz, name + ".cdx.json": sbom} {
			if err := os.WriteFile(filepath.Join(out, file), body, 0o644); err != nil {
				return nil, err
			}
			files = append(files, file)
		}
	}
	sort.Strings(files)
	sums, err := checksums(out, files)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(out, "SHA256SUMS"), sums, 0o644); err != nil {
		return nil, err
	}
	return append(files, "SHA256SUMS"), nil
}

type archiveEntry struct {
	name, src string
	mode      int64
}

// tarGz packs entries (in the order given) into a reproducible tar.gz.
func tarGz(entries []archiveEntry, epoch time.Time) ([]byte, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.DefaultCompression)
	if err != nil {
		return nil, err
	}
	tw := tar.NewWriter(zw)
	for _, e := range entries {
		body, err := os.ReadFile(e.src)
		if err != nil {
			return nil, err
		}
		hdr := &tar.Header{Typeflag: tar.TypeReg, Name: e.name, Mode: e.mode, Size: int64(len(body)), ModTime: epoch, Format: tar.FormatPAX}
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, err
		}
		if _, err := tw.Write(body); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// checksums is a SHA256SUMS file (`sha256sum -c` reads it) of files in dir.
func checksums(dir string, files []string) ([]byte, error) {
	var b strings.Builder
	for _, f := range files {
		fh, err := os.Open(filepath.Join(dir, f))
		if err != nil {
			return nil, err
		}
		h := sha256.New()
		_, err = io.Copy(h, fh)
		_ = fh.Close()
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(&b, "%s  %s\n", hex.EncodeToString(h.Sum(nil)), f)
	}
	return []byte(b.String()), nil
}
