package main

import (
	"crypto/sha256"
	"debug/buildinfo"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"
)

// CycloneDX 1.5 JSON, the parts an SBOM of a Go binary needs.
type cdxBOM struct {
	BOMFormat    string          `json:"bomFormat"`
	SpecVersion  string          `json:"specVersion"`
	SerialNumber string          `json:"serialNumber"`
	Version      int             `json:"version"`
	Metadata     cdxMetadata     `json:"metadata"`
	Components   []cdxComponent  `json:"components"`
	Dependencies []cdxDependency `json:"dependencies"`
}

type cdxMetadata struct {
	Timestamp  string        `json:"timestamp"`
	Tools      cdxTools      `json:"tools"`
	Component  cdxComponent  `json:"component"`
	Properties []cdxProperty `json:"properties,omitempty"`
}

type cdxTools struct {
	Components []cdxComponent `json:"components"`
}

type cdxComponent struct {
	Type       string        `json:"type"`
	BOMRef     string        `json:"bom-ref,omitempty"`
	Name       string        `json:"name"`
	Version    string        `json:"version,omitempty"`
	PURL       string        `json:"purl,omitempty"`
	Hashes     []cdxHash     `json:"hashes,omitempty"`
	Properties []cdxProperty `json:"properties,omitempty"`
}

type cdxHash struct {
	Alg     string `json:"alg"`
	Content string `json:"content"`
}

type cdxProperty struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type cdxDependency struct {
	Ref       string   `json:"ref"`
	DependsOn []string `json:"dependsOn"`
}

// purl is the package URL of a Go module (purl-spec, type golang), with GOOS/GOARCH
// qualifiers for the main module.
func purl(path, version string, qualifiers ...string) string {
	segs := strings.Split(path, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	p := "pkg:golang/" + strings.Join(segs, "/") + "@" + url.PathEscape(version)
	if len(qualifiers) > 0 {
		p += "?" + strings.Join(qualifiers, "&")
	}
	return p
}

// h1Hash turns a go.sum "h1:" hash (base64 SHA-256 of the module's file list, dirhash.Hash1)
// into the hex SHA-256 CycloneDX expects, as cyclonedx-gomod does.
func h1Hash(sum string) (cdxHash, bool) {
	b64, ok := strings.CutPrefix(sum, "h1:")
	if !ok {
		return cdxHash{}, false
	}
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(raw) != sha256.Size {
		return cdxHash{}, false
	}
	return cdxHash{Alg: "SHA-256", Content: hex.EncodeToString(raw)}, true
}

// SBOM writes a CycloneDX SBOM of a Go binary from the build information the Go linker embeds
// (debug/buildinfo): the main module at version, and every linked module with its version and
// go.sum hash (the replacement's, when replaced). created is the timestamp (the release's
// reproducible epoch), so the same binary gives the same SBOM.
func SBOM(binary, version string, created time.Time) ([]byte, error) {
	info, err := buildinfo.ReadFile(binary)
	if err != nil {
		return nil, fmt.Errorf("read build info of %s: %w", binary, err)
	}
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	goos, goarch := settings["GOOS"], settings["GOARCH"]
	main := cdxComponent{
		Type:    "application",
		Name:    info.Main.Path,
		Version: version,
		PURL:    purl(info.Main.Path, version, "goos="+goos, "goarch="+goarch),
	}
	main.BOMRef = main.PURL
	main.Properties = []cdxProperty{{Name: "go:version", Value: info.GoVersion}}
	keys := make([]string, 0, len(settings))
	for k := range settings {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		main.Properties = append(main.Properties, cdxProperty{Name: "go:build:" + k, Value: settings[k]})
	}
	bom := cdxBOM{
		BOMFormat:   "CycloneDX",
		SpecVersion: "1.5",
		Version:     1,
		Metadata: cdxMetadata{
			Timestamp: created.UTC().Format(time.RFC3339),
			Tools:     cdxTools{Components: []cdxComponent{{Type: "application", Name: "wavecheck deploy/release", Version: version}}},
			Component: main,
		},
		Components: []cdxComponent{},
	}
	var refs []string
	for _, d := range info.Deps {
		m := d
		if d.Replace != nil {
			m = d.Replace
		}
		c := cdxComponent{Type: "library", Name: d.Path, Version: m.Version, PURL: purl(d.Path, m.Version)}
		if d.Replace != nil {
			c.Properties = append(c.Properties, cdxProperty{Name: "go:replace", Value: m.Path + "@" + m.Version})
		}
		if h, ok := h1Hash(m.Sum); ok {
			c.Hashes = []cdxHash{h}
			c.Properties = append(c.Properties, cdxProperty{Name: "go:sum", Value: m.Sum})
		} else if m.Sum == "" && m.Version != "(devel)" {
			return nil, fmt.Errorf("%s: module %s@%s has no go.sum hash in the build info", binary, d.Path, m.Version)
		}
		c.BOMRef = c.PURL
		bom.Components = append(bom.Components, c)
		refs = append(refs, c.BOMRef)
	}
	sort.Slice(bom.Components, func(i, j int) bool { return bom.Components[i].BOMRef < bom.Components[j].BOMRef })
	sort.Strings(refs)
	bom.Dependencies = []cdxDependency{{Ref: main.BOMRef, DependsOn: refs}}
	// A serial number derived from the content: the same binary gives the same SBOM.
	body, err := json.Marshal(bom)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(body)
	sum[6] = sum[6]&0x0f | 0x50 // UUID version 5 layout (name-based, SHA)
	sum[8] = sum[8]&0x3f | 0x80
	bom.SerialNumber = fmt.Sprintf("urn:uuid:%x-%x-%x-%x-%x", sum[0:4], sum[4:6], sum[6:8], sum[8:10], sum[10:16])
	out, err := json.MarshalIndent(bom, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}
