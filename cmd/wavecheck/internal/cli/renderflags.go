package cli

import (
	"errors"
	"fmt"

	"github.com/spf13/pflag"

	"github.com/wavecheck/wavecheck/plugin/render"
)

// renderFlags binds the rendering flags shared by render, validate, replay and plan.
type renderFlags struct {
	sourceType string
	offline    bool
	allowEmpty bool
	opts       render.Options
	// Argo CD Applications as inputs (appinputs.go).
	applications []string
	appDirs      []string
	repos        []string
}

func (f *renderFlags) register(fs *pflag.FlagSet) {
	o := &f.opts
	fs.StringVar(&f.sourceType, "source-type", "", "force the source type: directory, kustomize or helm (default: detect like Argo CD)")
	fs.StringVar(&o.RepoRoot, "repo-root", "", "directory bounding every file read (default: nearest parent with .git, else DIR)")
	fs.StringVar(&o.AppName, "app-name", "", "Argo CD application name (default Helm release name)")
	fs.BoolVar(&f.allowEmpty, "allow-empty", false, "accept an input that renders no objects (Argo CD would sync it and prune everything the app manages)")
	fs.BoolVar(&o.Recurse, "recurse", false, "directory apps: include subdirectories")
	fs.StringArrayVar(&o.Include, "include", nil, "directory apps: glob of files to include, relative to DIR (repeatable)")
	fs.StringArrayVar(&o.Exclude, "exclude", nil, "directory apps: glob of files to exclude, relative to DIR (repeatable)")
	fs.BoolVar(&o.AllowRemote, "allow-remote", false, "kustomize apps: allow remote resources (URLs)")
	fs.BoolVar(&o.EnableHelm, "enable-helm", false, "kustomize apps: inflate helmCharts (kustomize build --enable-helm, Argo CD's kustomize.buildOptions); wavecheck serves as helm")
	fs.StringVar(&o.ReleaseName, "release-name", "", "helm apps: release name (default: --app-name, else the directory name)")
	fs.StringVarP(&o.Namespace, "namespace", "n", "", "helm apps: release namespace")
	fs.StringArrayVarP(&o.ValueFiles, "values", "f", nil, "helm apps: values file, relative to the chart directory like Argo CD's valueFiles (not to the working directory as with helm -f), inside the repo root (repeatable)")
	fs.StringArrayVar(&o.Set, "set", nil, "helm apps: set a value, key=value (repeatable)")
	fs.StringVar(&o.KubeVersion, "kube-version", "", "helm apps: Kubernetes version for Capabilities.KubeVersion")
	fs.StringArrayVar(&o.APIVersions, "api-versions", nil, "helm apps: API version for Capabilities.APIVersions (repeatable)")
	fs.BoolVar(&f.offline, "offline", false, "helm apps: never use the network; dependencies missing from charts/ and the charts of Applications from Helm repositories must be in the cache")
	fs.StringVar(&o.Dependencies.CacheDir, "helm-cache-dir", "", "helm apps: cache of built dependencies, repository indexes and the charts of Applications (default $XDG_CACHE_HOME/wavecheck/helm)")
	fs.StringVar(&o.Dependencies.RepositoryConfig, "repository-config", "", "helm apps: Helm's repositories.yaml with the credentials of dependency and Application chart repositories (default $HELM_REPOSITORY_CONFIG, else Helm's)")
	fs.StringVar(&o.Dependencies.RegistryConfig, "registry-config", "", "helm apps: Helm's OCI registry credentials (default $HELM_REGISTRY_CONFIG, else Helm's)")
	fs.BoolVar(&o.Dependencies.PlainHTTP, "plain-http", false, "helm apps: reach OCI registries over plain HTTP (Argo CD's insecureOCIForceHttp)")
	fs.StringArrayVar(&f.applications, "application", nil, "render the sources of this Argo CD Application file with its settings, as Argo CD would (repeatable)")
	fs.StringArrayVar(&f.appDirs, "applications", nil, "render every Argo CD Application found in the YAML files under this directory (repeatable)")
	fs.StringArrayVar(&f.repos, "repo", nil, "local checkout of an Application's repoURL, URL=DIR (repeatable; default: the repository holding the Application file)")
	fs.Int64Var(&o.MaxFileBytes, "max-file-size", render.DefaultMaxFileBytes, "largest input file in bytes")
	fs.Int64Var(&o.MaxTotalBytes, "max-total-size", render.DefaultMaxTotalBytes, "largest total input in bytes (vendored subchart archives count decompressed; so do charts of Helm repositories)")
	fs.DurationVar(&o.Timeout, "render-timeout", render.DefaultTimeout, "render deadline: Helm, Kustomize and decoding stop when it passes")
	fs.IntVar(&o.MaxObjects, "max-objects", render.DefaultMaxObjects, "most objects an app may render to")
	fs.Int64Var(&o.MaxRenderedBytes, "max-rendered-size", render.DefaultMaxRenderedBytes, "largest YAML output of Helm or Kustomize in bytes")
	fs.Int64Var(&o.MaxMemoryBytes, "max-render-memory", render.DefaultMaxMemory, "largest heap in bytes while rendering")
}

// options returns the render options, validating the flags.
func (f *renderFlags) options() (render.Options, error) {
	st, err := render.ParseSourceType(f.sourceType)
	if err != nil {
		return render.Options{}, usageError("%v", err)
	}
	o := f.opts
	o.SourceType = st
	switch {
	case o.Timeout <= 0:
		return render.Options{}, usageError("--render-timeout: want a positive duration such as 45s, got %s", o.Timeout)
	case o.MaxObjects <= 0:
		return render.Options{}, usageError("--max-objects: want a positive number, got %d", o.MaxObjects)
	case o.MaxRenderedBytes <= 0 || o.MaxFileBytes <= 0 || o.MaxTotalBytes <= 0 || o.MaxMemoryBytes <= 0:
		return render.Options{}, usageError("--max-rendered-size, --max-file-size, --max-total-size and --max-render-memory: want positive sizes in bytes")
	}
	// Like Argo CD's repo-server, build missing Helm dependencies unless told not to.
	o.Dependencies.Fetch = !f.offline
	return o, nil
}

// explain adds the fix to render errors whose cause the user controls with a flag.
func (f *renderFlags) explain(err error) error {
	if errors.Is(err, render.ErrOutsideRoot) && f.opts.RepoRoot == "" {
		// The default root is the nearest parent holding .git, else the app directory: a
		// checkout without .git (a source tarball, a CI artefact) bounds reads by the app.
		return fmt.Errorf("%w (the repository root is the nearest parent holding .git, else the app directory: for a checkout without .git, e.g. a source tarball, pass --repo-root with the repository's top directory)", err)
	}
	return err
}

// result checks what rendering path gave, as in rf.result(path)(render.Input(...)): the error
// with its fix (explain), or an error for an empty result (checkEmpty).
func (f *renderFlags) result(path string) func(*render.Result, error) (*render.Result, error) {
	return func(res *render.Result, err error) (*render.Result, error) {
		if err != nil {
			return nil, f.explain(err)
		}
		if err := f.checkEmpty(path, res); err != nil {
			return nil, err
		}
		return res, nil
	}
}

// checkEmpty refuses an input that renders no objects unless --allow-empty: Argo CD syncs an
// empty app fine, and prunes every object the app manages.
func (f *renderFlags) checkEmpty(path string, res *render.Result) error {
	if len(res.Objects) > 0 || f.allowEmpty {
		return nil
	}
	return fmt.Errorf("%s renders no objects (%s): Argo CD would sync it and prune everything the app manages; check the path, or pass --allow-empty if that is intended", path, res.Type)
}
