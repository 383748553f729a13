// Command release builds wavecheck's release artefacts from release.yaml, standing in for
// goreleaser and ko:
//
//	go run . dist  -version v0.1.0   # binaries for every platform, tar.gz, CycloneDX SBOMs, SHA256SUMS
//	go run . image -version v0.1.0   # the sidecar image as an OCI layout, without a Docker daemon
//	go run . lint                    # release.yaml and the install snippets agree
//
// Why not goreleaser: building it from source costs minutes of the CI budget, it would need
// Docker or ko for the image anyway, and its SBOM step runs another CLI (syft). This tool is a
// few hundred lines on the standard library and go-containerregistry (pkg/v1/layout, mutate),
// writes the SBOM itself from the build information the Go linker embeds (debug/buildinfo:
// every linked module with its version and go.sum hash), and everything it writes is
// reproducible: fixed timestamps (SOURCE_DATE_EPOCH or the commit time), sorted entries, no
// gzip names; building twice gives the same bytes and the same image digest.
//
// It lives in its own module so that go-containerregistry stays out of wavecheck's go.mod.
package main
