package argocd

import "path/filepath"

// EnvCMPWorkDir names the cmp-server's work directory (common.EnvCMPWorkDir, v3.6.1).
const EnvCMPWorkDir = "ARGOCD_CMP_WORKDIR" //nolint:gosec // G101 reads "cmPWorkdir" as a password; a variable name

// AnnotationManifestGeneratePaths is the Application annotation naming the paths its
// generation depends on (v1alpha1.AnnotationKeyManifestGeneratePaths); a repo-server started
// with --plugin-use-manifest-generate-paths streams only their common root to a plugin.
const AnnotationManifestGeneratePaths = "argocd.argoproj.io/manifest-generate-paths"

// cmpWorkDirName is the folder the cmp-server unpacks requests under (common.DefaultCMPWorkDirName).
const cmpWorkDirName = "_cmp_server" //nolint:gosec // G101 reads "cmPWorkdir" as a password; a folder name

// CMPWorkDir is the folder under which Argo CD's cmp-server unpacks the repository stream of
// every request, from the cmp-server's environment (vars): common.GetCMPWorkDir (v3.6.1) is
// $ARGOCD_CMP_WORKDIR/_cmp_server when that variable is set, else os.TempDir()/_cmp_server,
// and os.TempDir on Linux, where the sidecar runs, is $TMPDIR or /tmp. Each request gets a fresh
// directory directly below it (cmpserver/plugin.getTempDirMustCleanup, files.CreateTempDir),
// holding the stream's root: the repository checkout, or with --plugin-use-manifest-generate-paths
// the common root of the Application's manifest-generate-paths
// (reposerver/repository.getApplicationRootPath). Pinned by test/conformance TestCMPWorkDir.
func CMPWorkDir(vars map[string]string) string {
	if w := vars[EnvCMPWorkDir]; w != "" {
		return filepath.Join(w, cmpWorkDirName)
	}
	tmp := vars["TMPDIR"]
	if tmp == "" {
		tmp = "/tmp"
	}
	return filepath.Join(tmp, cmpWorkDirName)
}
