package render

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"sigs.k8s.io/kustomize/api/pkg/util"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/yaml"
)

// KustomizeEdits are Argo CD's spec.source.kustomize settings (and the plugin's Kustomize
// parameters). Argo CD applies them by running `kustomize edit ...` in its checkout of the
// app directory before `kustomize build` (util/kustomize.kustomize.Build, v3.6.1); wavecheck
// applies the same edits, in the same order and with kustomize v5.8.3's edit semantics
// (commands/edit/set and commands/edit/add), to an in-memory copy of the kustomization file:
// the repository is never written.
type KustomizeEdits struct {
	NamePrefix string
	NameSuffix string
	// Images are `kustomize edit set image` arguments: [name=]newName[:tag][@digest].
	Images []string
	// Replicas are `kustomize edit set replicas` arguments: name=count.
	Replicas []string
	// CommonLabels and CommonAnnotations are added with `kustomize edit add label|annotation`;
	// without ForceCommonLabels / ForceCommonAnnotations a key already in the kustomization
	// is an error, as kustomize reports it.
	CommonLabels           map[string]string
	CommonAnnotations      map[string]string
	ForceCommonLabels      bool
	ForceCommonAnnotations bool
	LabelWithoutSelector   bool
	LabelIncludeTemplates  bool
	Namespace              string
	// Patches are appended to the kustomization's patches as given (JSON objects).
	Patches []json.RawMessage
	// Components are added with `kustomize edit add component`; IgnoreMissingComponents
	// drops those without a kustomization file first.
	Components              []string
	IgnoreMissingComponents bool
}

// IsZero reports whether no edit is asked for.
func (e KustomizeEdits) IsZero() bool {
	return e.NamePrefix == "" && e.NameSuffix == "" && len(e.Images) == 0 && len(e.Replicas) == 0 &&
		len(e.CommonLabels) == 0 && len(e.CommonAnnotations) == 0 && e.Namespace == "" &&
		len(e.Patches) == 0 && len(e.Components) == 0
}

// editKustomization returns the content of the kustomization file kfile (in app directory
// dir) after the edits, as Argo CD's `kustomize edit` commands leave it.
func editKustomization(b *bounds, dir, kfile string, e KustomizeEdits) ([]byte, error) {
	data, err := b.peekFile(kfile)
	if err != nil {
		return nil, err
	}
	fail := func(err error) error {
		return &Error{File: b.rel(kfile), Err: fmt.Errorf("apply the Application's kustomize settings: %w", err)}
	}
	typed := e
	typed.Patches = nil
	if !typed.IsZero() {
		// kustfile.Read: strict unmarshal, then FixKustomization; kustfile.Write marshals the
		// typed kustomization back (unknown fields are refused by the strict read).
		var k types.Kustomization
		if err := k.Unmarshal(data); err != nil {
			return nil, fail(err)
		}
		k.FixKustomization()
		if err := applyTypedEdits(&k, b, dir, e); err != nil {
			return nil, fail(err)
		}
		if data, err = yaml.Marshal(&k); err != nil {
			return nil, fail(err)
		}
	}
	if len(e.Patches) > 0 {
		if data, err = appendPatches(data, e.Patches); err != nil {
			return nil, fail(err)
		}
	}
	return data, nil
}

// applyTypedEdits runs the `kustomize edit` commands Argo CD runs, in its order: set
// nameprefix, set namesuffix, set image, set replicas, add label, add annotation, set
// namespace; add component comes after the patches in Argo CD, which does not change the
// result (a component and a patch are both listed, not applied, by an edit).
func applyTypedEdits(k *types.Kustomization, b *bounds, dir string, e KustomizeEdits) error {
	if e.NamePrefix != "" {
		k.NamePrefix = e.NamePrefix
	}
	if e.NameSuffix != "" {
		k.NameSuffix = e.NameSuffix
	}
	if len(e.Images) > 0 {
		if err := setImages(k, e.Images); err != nil {
			return err
		}
	}
	if len(e.Replicas) > 0 {
		if err := setReplicas(k, e.Replicas); err != nil {
			return err
		}
	}
	if len(e.CommonLabels) > 0 {
		if err := addLabels(k, e); err != nil {
			return err
		}
	}
	if len(e.CommonAnnotations) > 0 {
		if k.CommonAnnotations == nil {
			k.CommonAnnotations = map[string]string{}
		}
		if err := writeMetadata(k.CommonAnnotations, editArgs(e.CommonAnnotations), e.ForceCommonAnnotations, "annotation"); err != nil {
			return err
		}
	}
	if e.Namespace != "" {
		k.Namespace = e.Namespace
	}
	if len(e.Components) > 0 {
		if err := addComponents(k, b, dir, e); err != nil {
			return err
		}
	}
	return nil
}

// setImages is `kustomize edit set image` (commands/edit/set/setimage.go): each argument
// replaces the entry of its name, "*" keeping the entry's field; the list is sorted by name.
func setImages(k *types.Kustomization, args []string) error {
	const preserve = "*"
	byName := map[string]types.Image{}
	for _, arg := range args {
		img, err := parseImageArg(arg)
		if err != nil {
			return err
		}
		byName[img.Name] = img
	}
	for _, im := range k.Images {
		arg, ok := byName[im.Name]
		if !ok {
			byName[im.Name] = im
			continue
		}
		if arg.NewName == preserve {
			arg.NewName = im.NewName
		}
		if arg.NewTag == preserve {
			arg.NewTag = im.NewTag
		}
		if arg.Digest == preserve {
			arg.Digest = im.Digest
		}
		byName[im.Name] = arg
	}
	images := make([]types.Image, 0, len(byName))
	for _, v := range byName {
		if v.NewName == preserve {
			v.NewName = ""
		}
		if v.NewTag == preserve {
			v.NewTag = ""
		}
		if v.Digest == preserve {
			v.Digest = ""
		}
		images = append(images, v)
	}
	sort.Slice(images, func(i, j int) bool { return images[i].Name < images[j].Name })
	k.Images = images
	return nil
}

var errImageArg = errors.New("invalid format of image, use one of the following options: <image>=<newimage>:<newtag>, <image>=<newimage>@<digest>, <image>=<newimage>:<newtag>@<digest>, <image>=<newimage>, <image>:<newtag>, <image>@<digest>, <image>:<newtag>@<digest>")

// parseImageArg is setimage.go's parse.
func parseImageArg(arg string) (types.Image, error) {
	key, value := "", arg
	if k, v, ok := strings.Cut(arg, "="); ok {
		key, value = k, v
	}
	name, tag, digest := util.SplitImageName(value)
	if name == arg {
		return types.Image{}, fmt.Errorf("image %q: %w", arg, errImageArg)
	}
	img := types.Image{NewTag: tag, Digest: digest}
	if key == "" {
		img.Name = name
	} else {
		img.Name, img.NewName = key, name
	}
	return img, nil
}

// setReplicas is `kustomize edit set replicas` (setreplicas.go): arguments replace entries of
// their name, the list is sorted by name.
func setReplicas(k *types.Kustomization, args []string) error {
	byName := map[string]types.Replica{}
	for _, arg := range args {
		s := strings.Split(arg, "=")
		if len(s) != 2 {
			return fmt.Errorf("replicas %q: must specify name and count (name=count)", arg)
		}
		n, err := strconv.ParseInt(s[1], 10, 64)
		if err != nil {
			return fmt.Errorf("replicas %q: count is not an integer", arg)
		}
		byName[s[0]] = types.Replica{Name: s[0], Count: n}
	}
	for _, r := range k.Replicas {
		if _, ok := byName[r.Name]; !ok {
			byName[r.Name] = r
		}
	}
	reps := slices.Collect(maps.Values(byName))
	sort.Slice(reps, func(i, j int) bool { return reps[i].Name < reps[j].Name })
	k.Replicas = reps
	return nil
}

// editArgs is Argo CD's mapToEditAddArgs followed by kustomize's ConvertSliceToMap: "k:v"
// arguments split at the first colon, surrounding double quotes of the value trimmed.
func editArgs(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		arg := k + ":" + v
		c := strings.Index(arg, ":")
		key, val := arg[:c], arg[c+1:]
		if len(val) >= 2 && val[0] == '"' && val[len(val)-1] == '"' {
			val = val[1 : len(val)-1]
		}
		out[key] = val
	}
	return out
}

// writeMetadata is addmetadata.go's writeToMap.
func writeMetadata(dst, src map[string]string, force bool, kind string) error {
	for _, k := range slices.Sorted(maps.Keys(src)) {
		if _, ok := dst[k]; ok && !force {
			return fmt.Errorf("%s %s already in kustomization file. Use --force to override", kind, k)
		}
		dst[k] = src[k]
	}
	return nil
}

// addLabels is `kustomize edit add label` (addmetadata.go addLabels): commonLabels, or with
// --without-selector a labels entry without selectors (and templates with
// --include-templates).
func addLabels(k *types.Kustomization, e KustomizeEdits) error {
	pairs := editArgs(e.CommonLabels)
	if !e.LabelWithoutSelector {
		if e.LabelIncludeTemplates {
			return errors.New("--without-selector flag must be specified for --include-templates to work (set labelWithoutSelector with labelIncludeTemplates)")
		}
		if k.CommonLabels == nil {
			k.CommonLabels = map[string]string{}
		}
		return writeMetadata(k.CommonLabels, pairs, e.ForceCommonLabels, "label")
	}
	lbl := types.Label{Pairs: map[string]string{}, IncludeSelectors: false, IncludeTemplates: e.LabelIncludeTemplates}
	find := func() (int, bool) {
		for i, l := range k.Labels {
			if l.IncludeSelectors == lbl.IncludeSelectors && l.IncludeTemplates == lbl.IncludeTemplates {
				return i, true
			}
		}
		return 0, false
	}
	for _, key := range slices.Sorted(maps.Keys(pairs)) {
		one := map[string]string{key: pairs[key]}
		if i, ok := find(); ok {
			if err := writeMetadata(k.Labels[i].Pairs, one, e.ForceCommonLabels, "label"); err != nil {
				return err
			}
			continue
		}
		if err := writeMetadata(lbl.Pairs, one, e.ForceCommonLabels, "label"); err != nil {
			return err
		}
		k.Labels = append(k.Labels, lbl)
	}
	return nil
}

// addComponents is Argo CD's component step (ignoreMissingComponents keeps the components
// whose directory holds a kustomization file) and `kustomize edit add component`
// (addcomponent.go): each path must match a file or directory, duplicates are skipped.
// Remote components are refused here as everywhere in wavecheck unless remote is allowed.
func addComponents(k *types.Kustomization, b *bounds, dir string, e KustomizeEdits) error {
	comps := e.Components
	if e.IgnoreMissingComponents {
		comps = nil
		for _, c := range e.Components {
			p := filepath.Join(dir, c)
			if !within(b.root, filepath.Clean(p)) {
				continue
			}
			for _, n := range []string{"kustomization.yaml", "kustomization.yml", "Kustomization"} {
				if fileExists(filepath.Join(p, n)) {
					comps = append(comps, c)
					break
				}
			}
		}
	}
	for _, c := range comps {
		matches, err := filepath.Glob(filepath.Join(dir, c))
		if err != nil {
			return fmt.Errorf("component %s: %w", c, err)
		}
		if len(matches) == 0 {
			return fmt.Errorf("component %s has no match: no such directory under %s", c, b.rel(dir))
		}
		for _, m := range matches {
			rel := c
			if len(matches) > 1 || m != filepath.Join(dir, c) {
				if r, err := filepath.Rel(dir, m); err == nil {
					rel = r
				}
			}
			if slices.Contains(k.Components, rel) {
				continue
			}
			k.Components = append(k.Components, rel)
		}
	}
	return nil
}

// appendPatches is Argo CD's patches step: the kustomization read as a map, the patches
// appended to (or set as) its patches list, the map written back.
func appendPatches(data []byte, patches []json.RawMessage) ([]byte, error) {
	var doc any
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("failed to unmarshal kustomization.yaml: %w", err)
	}
	m, ok := doc.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("expected kustomization.yaml to be type map[string]any, but got %T", doc)
	}
	add := make([]any, len(patches))
	for i, p := range patches {
		if err := json.Unmarshal(p, &add[i]); err != nil {
			return nil, fmt.Errorf("patch %d: %w", i, err)
		}
	}
	if cur, ok := m["patches"]; ok {
		list, ok := cur.([]any)
		if !ok {
			return nil, fmt.Errorf("expected 'patches' field in kustomization.yaml to be []any, but got %T", cur)
		}
		m["patches"] = append(list, add...)
	} else {
		m["patches"] = add
	}
	return yaml.Marshal(m)
}
