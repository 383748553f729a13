package main

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// pluginConfigPath is where Argo CD's cmp-server reads plugin.yaml (cmpserver/plugin/config.go,
// common.DefaultCMPWorkDir's sibling /home/argocd/cmp-server/config).
const pluginConfigPath = "/home/argocd/cmp-server/config/plugin.yaml"

// ImageInputs are the files of one platform's image.
type ImageInputs struct {
	Binaries     map[string]string // image path (ImageBinary.Path) -> the static build for it
	PluginConfig string            // plugin.yaml
	CABundle     string            // PEM roots for Helm repositories over HTTPS; "" for none
}

// fileEntry is one entry of the image's single layer.
type fileEntry struct {
	name     string // without leading slash; directories end in /
	mode     int64
	uid, gid int
	body     []byte
}

// layerEntries is the image's file system: scratch plus /etc/passwd and /etc/group naming uid
// 999 (argocd, as in Argo CD's own image, so tools that look the user up find it), a
// world-writable /tmp (the sidecar mounts an emptyDir over it), every binary of cfg.Binaries
// and plugin.yaml.
func layerEntries(cfg ImageConfig, in ImageInputs) ([]fileEntry, error) {
	uid, gid, err := parseUser(cfg.User)
	if err != nil {
		return nil, err
	}
	read := func(p string) ([]byte, error) {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("image input: %w", err)
		}
		return b, nil
	}
	plugin, err := read(in.PluginConfig)
	if err != nil {
		return nil, err
	}
	files := map[string]fileEntry{
		"etc/passwd": {mode: 0o644, body: fmt.Appendf(nil, "root:x:0:0:root:/root:/sbin/nologin\nargocd:x:%d:%d:argocd:/home/argocd:/sbin/nologin\n", uid, gid)},
		"etc/group":  {mode: 0o644, body: fmt.Appendf(nil, "root:x:0:\nargocd:x:%d:\n", gid)},
		strings.TrimPrefix(pluginConfigPath, "/"): {mode: 0o644, body: plugin},
		"tmp/": {mode: 0o1777},
		strings.TrimPrefix(path.Dir(pluginConfigPath), "/") + "/": {mode: 0o755, uid: uid, gid: gid},
	}
	if len(cfg.Binaries) == 0 {
		return nil, fmt.Errorf("image.binaries: empty")
	}
	for _, b := range cfg.Binaries {
		src, ok := in.Binaries[b.Path]
		if !ok {
			return nil, fmt.Errorf("image input: no build of %s", b.Path)
		}
		name := strings.TrimPrefix(path.Clean(b.Path), "/")
		if _, dup := files[name]; dup || !path.IsAbs(b.Path) {
			return nil, fmt.Errorf("image.binaries: %s: want an absolute path of its own", b.Path)
		}
		bin, err := read(src)
		if err != nil {
			return nil, err
		}
		files[name] = fileEntry{mode: 0o755, body: bin}
	}
	if len(in.Binaries) != len(cfg.Binaries) {
		return nil, fmt.Errorf("image input: %d binaries for the %d of image.binaries", len(in.Binaries), len(cfg.Binaries))
	}
	if in.CABundle != "" {
		ca, err := read(in.CABundle)
		if err != nil {
			return nil, err
		}
		files["etc/ssl/certs/ca-certificates.crt"] = fileEntry{mode: 0o644, body: ca}
	}
	// Parent directories, root-owned unless listed above (home/argocd belongs to the user).
	for name := range files {
		for dir := path.Dir(strings.TrimSuffix(name, "/")); dir != "."; dir = path.Dir(dir) {
			if _, ok := files[dir+"/"]; !ok {
				e := fileEntry{mode: 0o755}
				if strings.HasPrefix(dir, "home/argocd") {
					e.uid, e.gid = uid, gid
				}
				files[dir+"/"] = e
			}
		}
	}
	entries := make([]fileEntry, 0, len(files))
	for name, e := range files {
		e.name = name
		entries = append(entries, e)
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].name < entries[j].name })
	return entries, nil
}

func parseUser(s string) (uid, gid int, err error) {
	u, g, ok := strings.Cut(s, ":")
	if !ok {
		g = u
	}
	uid, err1 := strconv.Atoi(u)
	gid, err2 := strconv.Atoi(g)
	if err1 != nil || err2 != nil || uid <= 0 || gid < 0 {
		return 0, 0, fmt.Errorf("image user %q: want a numeric non-root uid:gid, e.g. 999:999 (Argo CD runs sidecars with runAsNonRoot)", s)
	}
	return uid, gid, nil
}

// layerTar writes entries as an uncompressed tar with every time set to epoch.
func layerTar(entries []fileEntry, epoch time.Time) ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		hdr := &tar.Header{Name: e.name, Mode: e.mode, Uid: e.uid, Gid: e.gid, ModTime: epoch, Format: tar.FormatPAX}
		if strings.HasSuffix(e.name, "/") {
			hdr.Typeflag = tar.TypeDir
		} else {
			hdr.Typeflag, hdr.Size = tar.TypeReg, int64(len(e.body))
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, err
		}
		if _, err := tw.Write(e.body); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// PlatformImage builds one platform's image: one layer on scratch, OCI media types, the config
// from cfg (user, entrypoint, env, labels) and created = epoch.
func PlatformImage(cfg ImageConfig, p Platform, in ImageInputs, version, revision string, epoch time.Time) (v1.Image, error) {
	entries, err := layerEntries(cfg, in)
	if err != nil {
		return nil, err
	}
	raw, err := layerTar(entries, epoch)
	if err != nil {
		return nil, err
	}
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(raw)), nil
	}, tarball.WithMediaType(types.OCILayer))
	if err != nil {
		return nil, err
	}
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	img, err = mutate.Append(img, mutate.Addendum{
		Layer:     layer,
		History:   v1.History{Created: v1.Time{Time: epoch}, CreatedBy: "wavecheck deploy/release image", Comment: "wavecheck " + version},
		MediaType: types.OCILayer,
	})
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = p.OS, p.Arch
	cf.Created = v1.Time{Time: epoch}
	labels := map[string]string{
		"org.opencontainers.image.version": version,
		"org.opencontainers.image.created": epoch.UTC().Format(time.RFC3339),
	}
	if revision != "" {
		labels["org.opencontainers.image.revision"] = revision
	}
	for k, v := range cfg.Labels {
		labels[k] = v
	}
	cf.Config = v1.Config{
		User:       cfg.User,
		Entrypoint: cfg.Entrypoint,
		Env:        cfg.Env,
		WorkingDir: "/home/argocd",
		Labels:     labels,
	}
	return mutate.ConfigFile(img, cf)
}

// BuildImage writes an OCI image layout at out holding one index with an image per platform,
// the index annotated with the version. Building twice from the same inputs gives the same
// digests.
func BuildImage(cfg ImageConfig, inputs map[Platform]ImageInputs, version, revision string, epoch time.Time, out string) (v1.Hash, error) {
	platforms := make([]Platform, 0, len(inputs))
	for p := range inputs {
		platforms = append(platforms, p)
	}
	sort.Slice(platforms, func(i, j int) bool { return platforms[i].String() < platforms[j].String() })
	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	for _, p := range platforms {
		img, err := PlatformImage(cfg, p, inputs[p], version, revision, epoch)
		if err != nil {
			return v1.Hash{}, fmt.Errorf("image %s: %w", p, err)
		}
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{
			Add:        img,
			Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: p.OS, Architecture: p.Arch}},
		})
	}
	if err := os.RemoveAll(out); err != nil {
		return v1.Hash{}, err
	}
	if _, err := layout.Write(out, idx); err != nil {
		return v1.Hash{}, fmt.Errorf("write OCI layout %s: %w", out, err)
	}
	return idx.Digest()
}
