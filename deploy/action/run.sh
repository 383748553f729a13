#!/usr/bin/env bash
# The wavecheck GitHub Action's script (action.yml): installs a released wavecheck binary,
# verified against the release's SHA256SUMS, then runs `wavecheck validate` on the given paths,
# writing a SARIF report and annotating the log. Tested locally against a local HTTP server
# (deploy/release/action_test.go).
#
# Inputs (environment):
#   WAVECHECK_VERSION       release tag, e.g. v0.1.0 (required)
#   WAVECHECK_PATHS         app directories or manifest files, separated by spaces or newlines
#   WAVECHECK_ARGS          extra validate flags (e.g. "--policy policy/ --fail-on-warn")
#   WAVECHECK_SARIF         SARIF report file (default wavecheck.sarif)
#   WAVECHECK_DOWNLOAD_URL  release download base (default the GitHub releases of wavecheck)
# Outputs ($GITHUB_OUTPUT): exit-code (validate's: 0 clean, 1 findings, 2 failure), sarif.
# The install folder is added to $GITHUB_PATH for later steps.
set -euo pipefail

fail() { echo "::error title=wavecheck::$*" >&2; exit 2; }

version="${WAVECHECK_VERSION:-}"
[[ "$version" =~ ^v[0-9]+\.[0-9]+\.[0-9]+([-+].*)?$ ]] ||
	fail "version '${version}' is not a release tag like v0.1.0: set the action's version input"
base="${WAVECHECK_DOWNLOAD_URL:-https://github.com/wavecheck/wavecheck/releases/download}"
sarif="${WAVECHECK_SARIF:-wavecheck.sarif}"

case "${RUNNER_OS:-$(uname -s)}" in
Linux) os=linux ;;
macOS | Darwin) os=darwin ;;
*) fail "unsupported runner OS ${RUNNER_OS:-$(uname -s)}: releases exist for Linux and macOS" ;;
esac
case "${RUNNER_ARCH:-$(uname -m)}" in
X64 | x86_64 | amd64) arch=amd64 ;;
ARM64 | aarch64 | arm64) arch=arm64 ;;
*) fail "unsupported runner architecture ${RUNNER_ARCH:-$(uname -m)}: releases exist for amd64 and arm64" ;;
esac

name="wavecheck_${version#v}_${os}_${arch}.tar.gz"
tmp="$(mktemp -d "${RUNNER_TEMP:-/tmp}/wavecheck.XXXXXX")"
bin="$tmp/bin"
mkdir -p "$bin"

download() { curl --fail --silent --show-error --location --retry 3 --output "$2" "$1"; }
download "$base/$version/$name" "$tmp/$name" || fail "download $base/$version/$name failed"
download "$base/$version/SHA256SUMS" "$tmp/SHA256SUMS" || fail "download $base/$version/SHA256SUMS failed"

want="$(awk -v f="$name" '$2 == f { print $1 }' "$tmp/SHA256SUMS")"
[[ -n "$want" ]] || fail "SHA256SUMS of $version does not list $name"
if command -v sha256sum >/dev/null; then
	got="$(sha256sum "$tmp/$name" | awk '{ print $1 }')"
else
	got="$(shasum -a 256 "$tmp/$name" | awk '{ print $1 }')"
fi
[[ "$got" == "$want" ]] || fail "checksum mismatch for $name: got $got, SHA256SUMS says $want"

tar -xzf "$tmp/$name" -C "$bin" wavecheck
"$bin/wavecheck" --version
if [[ -n "${GITHUB_PATH:-}" ]]; then echo "$bin" >>"$GITHUB_PATH"; fi

read -r -a paths <<<"$(echo "${WAVECHECK_PATHS:-.}" | tr '\n' ' ')"
read -r -a extra <<<"${WAVECHECK_ARGS:-}"

# The SARIF report for code scanning, then the same findings as log annotations.
code=0
"$bin/wavecheck" validate ${extra[@]+"${extra[@]}"} -o sarif "${paths[@]}" >"$sarif" || code=$?
# A failure (exit 2) prints no report: upload nothing rather than an empty file.
if [[ ! -s "$sarif" ]]; then rm -f "$sarif"; sarif=""; fi
if [[ "${GITHUB_ACTIONS:-}" == "true" ]]; then format=github; else format=text; fi
"$bin/wavecheck" validate ${extra[@]+"${extra[@]}"} -o "$format" "${paths[@]}" || true

if [[ -n "${GITHUB_OUTPUT:-}" ]]; then
	{
		echo "exit-code=$code"
		echo "sarif=$sarif"
	} >>"$GITHUB_OUTPUT"
fi
echo "wavecheck validate exited $code (0 clean, 1 findings, 2 failure); SARIF: ${sarif:-none}"
