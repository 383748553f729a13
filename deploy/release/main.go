package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:])
	stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "release: %v\n", err)
		os.Exit(1)
	}
}

const usage = `usage: release COMMAND [flags]
  lint    check release.yaml and the install snippets
  dist    build the binaries of every platform, archives, SBOMs and SHA256SUMS
  image   build the sidecar image as an OCI layout (no Docker daemon)`

// platformFlags collects repeated -binary os/arch=path flags.
type platformFlags map[Platform]string

func (f platformFlags) String() string { return fmt.Sprint(map[Platform]string(f)) }

func (f platformFlags) Set(s string) error {
	ps, path, ok := strings.Cut(s, "=")
	if !ok {
		return fmt.Errorf("%q: want os/arch=path", s)
	}
	p, err := ParsePlatform(ps)
	if err != nil {
		return err
	}
	f[p] = path
	return nil
}

func run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("%s", usage)
	}
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	root := fs.String("root", "../..", "repository root")
	config := fs.String("config", "release.yaml", "release config")
	version := fs.String("version", "", "release version, e.g. v0.1.0 (default: git describe)")
	out := fs.String("out", "", "output folder (default ROOT/dist, image: ROOT/dist/image)")
	caBundle := fs.String("ca-bundle", "", "image: PEM roots installed at /etc/ssl/certs/ca-certificates.crt (Helm repositories over HTTPS)")
	binaries := platformFlags{}
	fs.Var(binaries, "binary", "os/arch=path: use this binary instead of building it (repeatable)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	cfg, err := LoadConfig(*config)
	if err != nil {
		return err
	}
	if *version == "" {
		*version = gitOutput(*root, "describe", "--tags", "--always", "--dirty")
	}
	epoch := sourceDateEpoch(*root)
	switch args[0] {
	case "lint":
		return Lint(*root, cfg)
	case "dist":
		if *out == "" {
			*out = filepath.Join(*root, "dist")
		}
		if err := build(ctx, *root, cfg, *version, cfg.Platforms, nil, filepath.Join(*out, "build"), binaries); err != nil {
			return err
		}
		files, err := Package(*root, cfg, *version, binaries, *out, epoch)
		if err != nil {
			return err
		}
		for _, f := range files {
			fmt.Println(filepath.Join(*out, f))
		}
		return nil
	case "image":
		if *out == "" {
			*out = filepath.Join(*root, "dist", "image")
		}
		if err := build(ctx, *root, cfg, *version, cfg.Image.Platforms, cfg.Image.Tags, filepath.Join(filepath.Dir(*out), "build-sidecar"), binaries); err != nil {
			return err
		}
		inputs := map[Platform]ImageInputs{}
		for p, bin := range binaries {
			inputs[p] = ImageInputs{Binary: bin, PluginConfig: filepath.Join(*root, cfg.Image.PluginConfig), CABundle: *caBundle}
		}
		digest, err := BuildImage(cfg.Image, inputs, *version, gitOutput(*root, "rev-parse", "HEAD"), epoch, *out)
		if err != nil {
			return err
		}
		fmt.Printf("%s %s@%s\n", *out, cfg.Image.Repository, digest)
		return nil
	}
	return fmt.Errorf("unknown command %q\n%s", args[0], usage)
}

// build builds the binary of every platform not given with -binary into dir.
func build(ctx context.Context, root string, cfg *Config, version string, platforms, tags []string, dir string, binaries platformFlags) error {
	for _, s := range platforms {
		p, err := ParsePlatform(s)
		if err != nil {
			return err
		}
		if _, ok := binaries[p]; ok {
			continue
		}
		out, err := filepath.Abs(filepath.Join(dir, p.OS+"_"+p.Arch, cfg.Project))
		if err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "release: building %s %s\n", p, version)
		if err := BuildCommand(ctx, root, cfg, version, p, tags, out).Run(); err != nil {
			return fmt.Errorf("build %s: %w", p, err)
		}
		binaries[p] = out
	}
	return nil
}

// sourceDateEpoch is the time stamped into archives, SBOMs and the image: SOURCE_DATE_EPOCH
// (reproducible-builds.org), else the commit time, else the Unix epoch.
func sourceDateEpoch(root string) time.Time {
	s := os.Getenv("SOURCE_DATE_EPOCH")
	if s == "" {
		s = gitOutput(root, "log", "-1", "--format=%ct")
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(n, 0).UTC()
	}
	return time.Unix(0, 0).UTC()
}

func gitOutput(root string, args ...string) string {
	cmd := exec.Command("git", args...)
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}
