package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
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

// binaryFlags collects repeated -binary os/arch[/name]=path flags: a prebuilt binary used
// instead of building it. name is the binary's file name (the image's binaries differ by it);
// without it, the project's (the archives' binary, the image's first).
type binaryFlags map[binaryKey]string

type binaryKey struct {
	Platform
	Name string // "" until run resolves it to the project's name
}

func (f binaryFlags) String() string { return fmt.Sprint(map[binaryKey]string(f)) }

func (f binaryFlags) Set(s string) error {
	key, file, ok := strings.Cut(s, "=")
	if !ok || file == "" {
		return fmt.Errorf("%q: want os/arch=path or os/arch/name=path", s)
	}
	var name string
	if parts := strings.Split(key, "/"); len(parts) == 3 {
		key, name = parts[0]+"/"+parts[1], parts[2]
	}
	p, err := ParsePlatform(key)
	if err != nil {
		return err
	}
	f[binaryKey{p, name}] = file
	return nil
}

// named returns the prebuilt binaries called name, by platform; project names the unnamed ones.
func (f binaryFlags) named(name, project string) map[Platform]string {
	m := map[Platform]string{}
	for k, file := range f {
		if k.Name == name || (k.Name == "" && name == project) {
			m[k.Platform] = file
		}
	}
	return m
}

// check refuses a -binary naming none of names.
func (f binaryFlags) check(project string, names ...string) error {
	for k := range f {
		if n := cmp.Or(k.Name, project); !slices.Contains(names, n) {
			return fmt.Errorf("-binary %s/%s: no binary %s to replace; want one of %s", k.Platform, n, n, strings.Join(names, ", "))
		}
	}
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
	binaries := binaryFlags{}
	fs.Var(binaries, "binary", "os/arch[/name]=path: use this binary instead of building it (repeatable; name: the image binary's file name, default the project's)")
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
		if err := binaries.check(cfg.Project, cfg.Project); err != nil {
			return err
		}
		built, err := build(ctx, *root, cfg, *version, cfg.Platforms, nil, cfg.Project, filepath.Join(*out, "build"), binaries.named(cfg.Project, cfg.Project))
		if err != nil {
			return err
		}
		files, err := Package(*root, cfg, *version, built, *out, epoch)
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
		var names []string
		for _, b := range cfg.Image.Binaries {
			names = append(names, b.Name())
		}
		if err := binaries.check(cfg.Project, names...); err != nil {
			return err
		}
		// Each binary of every platform into build-sidecar/<os>_<arch>/<name>: the image's
		// binaries share one directory there as they do in the image.
		inputs := map[Platform]ImageInputs{}
		for _, b := range cfg.Image.Binaries {
			built, err := build(ctx, *root, cfg, *version, cfg.Image.Platforms, b.Tags, b.Name(), filepath.Join(filepath.Dir(*out), "build-sidecar"), binaries.named(b.Name(), cfg.Project))
			if err != nil {
				return err
			}
			for p, file := range built {
				in, ok := inputs[p]
				if !ok {
					in = ImageInputs{Binaries: map[string]string{}, PluginConfig: filepath.Join(*root, cfg.Image.PluginConfig), CABundle: *caBundle}
					inputs[p] = in
				}
				in.Binaries[b.Path] = file
			}
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

// build builds the binary called name of every platform not in prebuilt into dir/<os>_<arch>/,
// and returns every platform's binary, the prebuilt ones included.
func build(ctx context.Context, root string, cfg *Config, version string, platforms, tags []string, name, dir string, prebuilt map[Platform]string) (map[Platform]string, error) {
	binaries := map[Platform]string{}
	maps.Copy(binaries, prebuilt)
	for _, s := range platforms {
		p, err := ParsePlatform(s)
		if err != nil {
			return nil, err
		}
		if _, ok := binaries[p]; ok {
			continue
		}
		out, err := filepath.Abs(filepath.Join(dir, p.OS+"_"+p.Arch, name))
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(os.Stderr, "release: building %s %s %s (tags %q)\n", name, p, version, tags)
		if err := BuildCommand(ctx, root, cfg, version, p, tags, out).Run(); err != nil {
			return nil, fmt.Errorf("build %s %s: %w", name, p, err)
		}
		binaries[p] = out
	}
	return binaries, nil
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
