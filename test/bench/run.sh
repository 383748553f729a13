#!/usr/bin/env bash
# run.sh times wavecheck against the tools users would otherwise run, side by side in one run
# on the same generated inputs, and writes the results as Markdown (test/bench/RESULTS.md).
#
#   test/bench/run.sh                      # what `make bench` runs
#   test/bench/run.sh -r 3 -s "50 500"     # quicker: 3 runs, two sizes
#   test/bench/run.sh -K 0                 # skip the slow kustomize case at 5,000 objects
#
# Options:
#   -r RUNS   timed runs per command; the median is reported (default 5)
#   -k RUNS   runs per command for the kustomize app at 5,000 objects (default 1: kustomize build
#             takes minutes there, see docs in RESULTS.md); -K 0 skips that case
#   -s SIZES  object counts (default "50 500 5000")
#   -o FILE   results file (default test/bench/RESULTS.md)
#   -w DIR    work directory for binaries, apps and outputs (default: a new temporary one)
#   -R        report only: rewrite the results file from the measurements already in -w DIR
#
# Commands compared as a ratio (a CLI, wavecheck render, wavecheck generate) run interleaved, so
# that a burst of load on a shared machine does not favour one of them.
# For each command: median wall time and median CPU time (user+system) over the runs, and the
# largest peak RSS, as test/bench/timeit measures one run: it starts the command as Argo CD's
# cmp-server starts a plugin (Go's os/exec, no shell), from its fork to its exit, with the
# child's rusage for CPU and RSS (microseconds). The reference CLIs
# (helm v4.3.1, kustomize v5.8.3, conftest v0.71.1) come from test/tools/build.sh, built from the
# Go module proxy into a cache folder. Progress goes to stderr.
set -euo pipefail

export GOTOOLCHAIN="${GOTOOLCHAIN:-go1.27.3}"
export LC_ALL=C

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

runs=5
kruns=1
sizes="50 500 5000"
results="$here/RESULTS.md"
work=""
report_only=false
while getopts "r:k:K:s:o:w:R" opt; do
	case "$opt" in
	r) runs="$OPTARG" ;;
	k | K) kruns="$OPTARG" ;;
	s) sizes="$OPTARG" ;;
	o) results="$OPTARG" ;;
	w) work="$OPTARG" ;;
	R) report_only=true ;;
	*)
		sed -n '2,20p' "$0" >&2
		exit 2
		;;
	esac
done

log() { echo "bench: $*" >&2; }
die() {
	log "$*"
	exit 1
}

# stat_of ID prints "median_wall max_rss_kib runs median_cpu".
stat_of() {
	awk '{print $1}' "$work/raw/$1" | sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.3f ", m}'
	awk 'BEGIN{m=0} {if ($2>m) m=$2} END {printf "%d ", m}' "$work/raw/$1"
	wc -l <"$work/raw/$1" | tr -d ' \n'
	printf " "
	awk '{print $3+$4}' "$work/raw/$1" | sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.3f\n", m}'
}

wall() { stat_of "$1" | cut -d' ' -f1; }
rss_mib() { stat_of "$1" | awk '{printf "%.0f", $2/1024}'; }
nruns() { stat_of "$1" | cut -d' ' -f3; }
cpu() { stat_of "$1" | cut -d' ' -f4; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a/b; else print "n/a" }'; }
docs() { grep -c '^kind:' "$work/out/$1.out" || true; }

# findings_conftest FILE / findings_wavecheck FILE print "rule=count ..." for the shared rules
# (the conftest port prefixes each message with the wavecheck rule id).
shared_rules="sync-wave-not-integer hook-unknown-type hook-delete-policy-unknown hook-named-without-recreate hook-job-unbounded sync-option-unknown duplicate-object cr-without-crd hook-depends-on-later"
findings_conftest() {
	grep -o '"msg": "[a-z-]*:' "$1" | sed 's/.*"msg": "//; s/:$//' | sort | uniq -c | awk '{print $2"="$1}' | tr '\n' ' ' || true
}
findings_wavecheck() {
	local kv s out=""
	for kv in $(grep -o '"rule": "[a-z-]*"' "$1" | sed 's/.*"rule": "//; s/"$//' | sort | uniq -c | awk '{print $2"="$1}'); do
		for s in $shared_rules; do
			if [[ "${kv%%=*}" == "$s" ]]; then out+="$kv "; fi
		done
	done
	echo "$out"
}

measure_all() {
	if [[ -z "$work" ]]; then
		work="$(mktemp -d "${TMPDIR:-/tmp}/wavecheck-bench.XXXXXX")"
	fi
	mkdir -p "$work"/{bin,raw,out}
	log "work directory $work"

	# Binaries: wavecheck as `make build` builds it, the generator, the reference CLIs.
	log "building wavecheck"
	built_from="$(cd "$root" && git rev-parse --short HEAD 2>/dev/null || echo unknown)"
	if [[ -n "$(cd "$root" && git status --porcelain --untracked-files=no -- '*.go' 'go.mod' 'go.sum' 'policy/rules' 2>/dev/null)" ]]; then
		built_from+=" plus uncommitted changes"
	fi
	(cd "$root" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$work/bin/wavecheck" ./cmd/wavecheck)
	# The image's two binaries (`make build-sidecar`) run every `generate` below: wavecheck
	# without Helm, which hands charts over to wavecheck-helm next to it (ARCHITECTURE.md,
	# "Three builds").
	(cd "$root" && CGO_ENABLED=0 go build -trimpath -tags sidecar,nohelm -ldflags "-s -w" -o "$work/bin/sidecar/wavecheck" ./cmd/wavecheck)
	(cd "$root" && CGO_ENABLED=0 go build -trimpath -tags sidecar -ldflags "-s -w" -o "$work/bin/sidecar/wavecheck-helm" ./cmd/wavecheck)
	(cd "$root" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$work/bin/flagonly" ./test/bench/flagonly)
	(cd "$root" && CGO_ENABLED=0 go build -trimpath -o "$work/bin/timeit" ./test/bench/timeit)
	(cd "$root" && go build -trimpath -o "$work/bin/gen" ./test/bench/gen)
	log "building or fetching helm, kustomize, conftest"
	tools="$("$root/test/tools/build.sh")"
	wc="$work/bin/wavecheck"
	wcs="$work/bin/sidecar/wavecheck"
	wch="$work/bin/sidecar/wavecheck-helm"
	helm="$tools/helm"
	kustomize="$tools/kustomize"
	conftest="$tools/conftest"
	policy="$here/conftest-policy"

	log "checking the conftest port of the rules (conftest verify)"
	"$conftest" verify --no-color -p "$policy" >"$work/out/verify.txt" 2>&1 ||
		die "conftest verify failed on $policy: $(cat "$work/out/verify.txt")"
	# Same checks: both tools must find the same mistakes in the fixture (one per shared rule).
	fixture="$here/testdata/mistakes"
	(cd "$fixture" && "$conftest" test --combine --no-color -o json -p "$policy" manifests.yaml >"$work/out/fixture-conftest.json") || true
	"$wc" validate "$fixture" -o json >"$work/out/fixture-wavecheck.json" || true
	a="$(findings_conftest "$work/out/fixture-conftest.json")"
	b="$(findings_wavecheck "$work/out/fixture-wavecheck.json")"
	if [[ "$a" != "$b" || "$(wc -w <<<"$a")" -ne 9 ]]; then
		die "conftest port and wavecheck disagree on $fixture: conftest [$a] wavecheck [$b]"
	fi

	# The Argo CD environment the cmp-server gives the plugin (generate runs in the app directory).
	kube_version=1.34.0
	cmp_env=(ARGOCD_APP_NAME=bench ARGOCD_APP_NAMESPACE=bench ARGOCD_APP_PROJECT_NAME=default
		ARGOCD_APP_REVISION=0123456789abcdef0123456789abcdef01234567 ARGOCD_APP_REVISION_SHORT=0123456
		ARGOCD_APP_SOURCE_REPO_URL=https://git.example.com/bench.git ARGOCD_APP_SOURCE_TARGET_REVISION=HEAD
		KUBE_VERSION="$kube_version"
		# Every generate lints as the first generation of an app does; the rows marked
		# "regenerated" give the lint cache a folder (what a hard refresh meets).
		WAVECHECK_LINT_CACHE_DIR=off)

	# Inputs: every size is a repository root (like the cmp-server's checkout) holding the three
	# variants; pre/N holds the rendered stream of the directory variant for the lint-only case.
	apps="$work/apps"
	for n in 10 $sizes; do
		if [[ ! -f "$apps/$n/.generated" ]]; then
			rm -rf "$apps/$n"
			"$work/bin/gen" -objects "$n" -out "$apps/$n"
			mkdir -p "$apps/$n/.git"
			touch "$apps/$n/.generated"
		fi
		mkdir -p "$work/pre/$n"
		"$wc" render "$apps/$n/dir" >"$work/pre/$n/manifests.yaml"
	done
	# The apps most users have: Argo CD's example guestbooks (a copy is in policy/testdata).
	gb="$apps/guestbooks"
	if [[ ! -d "$gb/.git" ]]; then
		rm -rf "$gb"
		mkdir -p "$gb"
		cp -R "$root/policy/testdata/corpus/argocd-example-apps/kustomize-guestbook" \
			"$root/policy/testdata/corpus/argocd-example-apps/helm-guestbook" "$gb/"
		mkdir -p "$gb/.git"
	fi

	loads=()
	# once ID DIR CMD... runs CMD once in DIR (env assignments may lead CMD) with its stdout in
	# out/ID.out, checks it exits 0, and appends a "wall rss user sys exit" line to raw/ID
	# (test/bench/timeit).
	once() {
		local id="$1" dir="$2"
		shift 2
		loads+=("$(cut -d' ' -f1 /proc/loadavg)")
		if ! "$work/bin/timeit" -C "$dir" -o "$work/raw/$id" -stdout "$work/out/$id.out" -stderr "$work/out/$id.err" "$@"; then
			die "$id failed: $* (in $dir): $(tail -5 "$work/out/$id.err")"
		fi
	}
	# warm ID DIR CMD... is one untimed run (page cache, binary loading).
	warm() {
		local id="$1" dir="$2"
		shift 2
		(cd "$dir" && env "$@" >"$work/out/$id.out" 2>"$work/out/$id.err") || true
	}
	# measure ID RUNS DIR CMD... runs CMD RUNS times after a warm-up run (none for the slow
	# single-run kind).
	measure() {
		local id="$1" n="$2" dir="$3" i
		shift 3
		: >"$work/raw/$id"
		if [[ "$n" -ge 3 ]]; then warm "$id" "$dir" "$@"; fi
		for ((i = 0; i < n; i++)); do once "$id" "$dir" "$@"; done
		log "$id: $(stat_of "$id")"
	}
	# Commands whose times are compared as a ratio run interleaved (A B C, A B C, ...), so that
	# a burst of load on a shared machine does not land on one of them only. Each group is
	# written out below: start_group IDS... clears their results; end_group IDS... logs them.
	start_group() {
		local id
		for id in "$@"; do : >"$work/raw/$id"; done
	}
	end_group() {
		local id
		for id in "$@"; do log "$id: $(stat_of "$id")"; done
	}

	started="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
	load_start="$(cut -d' ' -f1-3 /proc/loadavg)"

	# Process start: generate on a 10-object app, as the cmp-server runs it; `wavecheck version`
	# (the three builds) against a static Go binary that only parses flags; generate on the example
	# guestbooks against the CLI Argo CD runs for them natively. Interleaved.
	sr=$((runs * 2 + 1))
	start_group start-flagonly start-version start-version-helm start-version-full start-generate start-generate-nocache
	warm start-flagonly "$apps/10" "$work/bin/flagonly" -v x
	warm start-version "$apps/10" "$wcs" version
	warm start-version-helm "$apps/10" "$wch" version
	warm start-version-full "$apps/10" "$wc" version
	warm start-generate "$apps/10/dir" "${cmp_env[@]}" WAVECHECK_LINT_CACHE_DIR="$work/findings" "$wcs" generate
	warm start-generate-nocache "$apps/10/dir" "${cmp_env[@]}" "$wcs" generate
	for ((i = 0; i < sr; i++)); do
		once start-flagonly "$apps/10" "$work/bin/flagonly" -v x
		once start-version "$apps/10" "$wcs" version
		once start-version-helm "$apps/10" "$wch" version
		once start-version-full "$apps/10" "$wc" version
		once start-generate "$apps/10/dir" "${cmp_env[@]}" WAVECHECK_LINT_CACHE_DIR="$work/findings" "$wcs" generate
		once start-generate-nocache "$apps/10/dir" "${cmp_env[@]}" "$wcs" generate
	done
	end_group start-flagonly start-version start-version-helm start-version-full start-generate start-generate-nocache
	start_group gb-kustomize-cli gb-kustomize-generate gb-helm-cli gb-helm-generate
	warm gb-kustomize-cli "$gb/kustomize-guestbook" "$kustomize" build .
	warm gb-kustomize-generate "$gb/kustomize-guestbook" "${cmp_env[@]}" "$wcs" generate
	warm gb-helm-cli "$gb/helm-guestbook" "$helm" template bench . --namespace bench --kube-version "$kube_version"
	warm gb-helm-generate "$gb/helm-guestbook" "${cmp_env[@]}" "$wcs" generate
	for ((i = 0; i < sr; i++)); do
		once gb-kustomize-cli "$gb/kustomize-guestbook" "$kustomize" build .
		once gb-kustomize-generate "$gb/kustomize-guestbook" "${cmp_env[@]}" "$wcs" generate
		once gb-helm-cli "$gb/helm-guestbook" "$helm" template bench . --namespace bench --kube-version "$kube_version"
		once gb-helm-generate "$gb/helm-guestbook" "${cmp_env[@]}" "$wcs" generate
	done
	end_group gb-kustomize-cli gb-kustomize-generate gb-helm-cli gb-helm-generate

	for n in $sizes; do
		r="$runs"
		log "== $n objects"
		start_group "dir-render-$n" "dir-generate-$n"
		warm "dir-render-$n" "$apps/$n" "$wcs" render dir
		warm "dir-generate-$n" "$apps/$n/dir" "${cmp_env[@]}" "$wcs" generate
		for ((i = 0; i < r; i++)); do
			once "dir-render-$n" "$apps/$n" "$wcs" render dir
			once "dir-generate-$n" "$apps/$n/dir" "${cmp_env[@]}" "$wcs" generate
		done
		end_group "dir-render-$n" "dir-generate-$n"

		kr="$r"
		if [[ "$n" -ge 5000 ]]; then kr="$kruns"; fi
		if [[ "$kr" -gt 0 ]]; then
			kdir="$apps/$n/kustomize/overlay"
			start_group "kustomize-cli-$n" "kustomize-render-$n" "kustomize-generate-$n"
			if [[ "$kr" -ge 3 ]]; then
				warm "kustomize-cli-$n" "$kdir" "$kustomize" build .
				warm "kustomize-render-$n" "$kdir" "$wc" render .
				warm "kustomize-generate-$n" "$kdir" "${cmp_env[@]}" "$wcs" generate
			fi
			for ((i = 0; i < kr; i++)); do
				once "kustomize-cli-$n" "$kdir" "$kustomize" build .
				once "kustomize-render-$n" "$kdir" "$wc" render .
				once "kustomize-generate-$n" "$kdir" "${cmp_env[@]}" "$wcs" generate
			done
			end_group "kustomize-cli-$n" "kustomize-render-$n" "kustomize-generate-$n"
		fi

		hdir="$apps/$n/helm"
		start_group "helm-cli-$n" "helm-render-$n" "helm-generate-$n"
		warm "helm-cli-$n" "$hdir" "$helm" template bench . --namespace bench --kube-version "$kube_version"
		warm "helm-render-$n" "$hdir" "$wc" render . --app-name bench --namespace bench --kube-version "$kube_version"
		warm "helm-generate-$n" "$hdir" "${cmp_env[@]}" "$wcs" generate
		for ((i = 0; i < r; i++)); do
			once "helm-cli-$n" "$hdir" "$helm" template bench . --namespace bench --kube-version "$kube_version"
			once "helm-render-$n" "$hdir" "$wc" render . --app-name bench --namespace bench --kube-version "$kube_version"
			once "helm-generate-$n" "$hdir" "${cmp_env[@]}" "$wcs" generate
		done
		end_group "helm-cli-$n" "helm-render-$n" "helm-generate-$n"

		start_group "lint-conftest-$n" "lint-wavecheck-$n"
		warm "lint-conftest-$n" "$work/pre/$n" "$conftest" test --combine --no-color -o json -p "$policy" manifests.yaml
		warm "lint-wavecheck-$n" "$work/pre/$n" "$wc" validate . -o json
		for ((i = 0; i < r; i++)); do
			once "lint-conftest-$n" "$work/pre/$n" "$conftest" test --combine --no-color -o json -p "$policy" manifests.yaml
			once "lint-wavecheck-$n" "$work/pre/$n" "$wc" validate . -o json
		done
		end_group "lint-conftest-$n" "lint-wavecheck-$n"

		measure "replay-$n" "$r" "$apps/$n" "$wc" replay dir -o json
	done
	load_end="$(cut -d' ' -f1-3 /proc/loadavg)"
	finished="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
	printf '%s\n' "${loads[@]}" >"$work/raw/loads"
	{
		echo "started=$started"
		echo "finished=$finished"
		echo "load_start='$load_start'"
		echo "load_end='$load_end'"
		echo "sizes='$sizes'"
	echo "commit='$built_from'"
	} >"$work/raw/meta"

}

if [[ "$report_only" == true ]]; then
	[[ -n "$work" && -f "$work/raw/meta" ]] || die "-R needs -w DIR holding a finished run (raw/meta)"
else
	measure_all
fi
# shellcheck disable=SC1091
source "$work/raw/meta"
loads=()
if [[ -f "$work/raw/loads" ]]; then mapfile -t loads <"$work/raw/loads"; fi
root_go="$(cd "$root" && go version)"

for n in $sizes; do
	a="$(findings_conftest "$work/out/lint-conftest-$n.out")"
	b="$(findings_wavecheck "$work/out/lint-wavecheck-$n.out")"
	if [[ "$a" != "$b" ]]; then
		die "conftest port and wavecheck disagree at $n objects: conftest [$a] wavecheck [$b]"
	fi
	printf -v "agree_$n" '%s' "${a:-none}"
done

# Machine.
cpu_model="$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)"
cores="$(nproc)"
ram="$(awk '/^MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
goversion="$root_go"
# meta may carry load_summary (runs recorded before raw/loads existed).
load_min_max="${load_summary:-$(printf '%s\n' "${loads[@]}" | sort -n | awk 'NR==1{min=$1} {max=$1; s+=$1} END {printf "min %.1f, mean %.1f, max %.1f", min, s/NR, max}')}"
commit="${commit:-unknown}" # from raw/meta: what wavecheck was built from

row() { # label id [reference id]
	local label="$1" id="$2" ref="${3:-}"
	[[ -s "$work/raw/$id" ]] || return 0
	local vs="" vc=""
	if [[ -n "$ref" && -s "$work/raw/$ref" ]]; then
		vs="$(ratio "$(wall "$id")" "$(wall "$ref")")x"
		vc="$(ratio "$(cpu "$id")" "$(cpu "$ref")")x"
	fi
	printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$label" "$(wall "$id")" "$(cpu "$id")" "$(rss_mib "$id")" "$(nruns "$id")" "$(docs "$id")" "$vs" "$vc"
}

verdict() { # value op limit
	awk -v v="$1" -v l="$3" -v op="$2" 'BEGIN { if (v == "" || v == "n/a") { print "not measured"; exit }
		ok = (op == "<=") ? (v <= l) : (v >= l); print ok ? "met" : "**missed**" }'
}

{
	echo "# Benchmarks"
	echo
	echo "Written by \`test/bench/run.sh\` (\`make bench\`), wavecheck built from commit $commit, $started to $finished."
	echo "Each command ran on the same generated apps (test/bench/gen: ~20 % hooks, 10-30 waves,"
	echo "Deployments, Services, ConfigMaps, Secrets, PDBs, ServiceAccounts, Jobs, CRDs and CRs) in one"
	echo "run, after one untimed warm-up run (none for single-run cases); commands compared as a ratio ran interleaved"
	echo "(A B C, A B C, ...). Each run is started as Argo CD's cmp-server starts a plugin (Go's os/exec,"
	echo "no shell; test/bench/timeit) and timed from its fork to its exit. Wall is the median over the"
	echo "runs; CPU (user+system, from the child's rusage, microseconds) is the median too; RSS is the"
	echo "largest peak resident set of the runs."
	echo
	echo "## Machine"
	echo
	echo "- CPU: $cpu_model, $cores cores"
	echo "- RAM: $ram"
	echo "- Go: $goversion"
	echo "- Load average (1 min) sampled before each run: $load_min_max; at start $load_start, at end $load_end."
	echo "  The machine is shared: absolute times are inflated by the load, so compare ratios measured in"
	echo "  the same run."
	echo "- Tools: helm v4.3.1, kustomize v5.8.3, conftest v0.71.1 (test/tools/build.sh), wavecheck built"
	echo "  with \`-trimpath -ldflags '-s -w'\` as \`make build\` does; every \`generate\` runs the image's"
	echo "  wavecheck (\`-tags sidecar,nohelm\`, \`make build-sidecar\`), which hands charts over to the"
	echo "  image's wavecheck-helm (\`-tags sidecar\`) next to it."
	echo
	echo "## Results"
	echo
	echo "| command | wall s (median) | CPU s (median) | peak RSS MiB | runs | objects out | wall ratio | CPU ratio |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|"
	row "process start: static Go binary that only parses flags (reference)" start-flagonly
	row "process start: wavecheck version (image's wavecheck: sidecar build without Helm)" start-version start-flagonly
	row "process start: wavecheck-helm version (image's sidecar build with Helm)" start-version-helm start-flagonly
	row "process start: wavecheck version (full build)" start-version-full start-flagonly
	row "process start: wavecheck generate, 10-object dir app (regenerated: lint cache hit)" start-generate
	row "process start: wavecheck generate, 10-object dir app (lint cache off)" start-generate-nocache
	row "kustomize-guestbook: kustomize build" gb-kustomize-cli
	row "kustomize-guestbook: wavecheck generate" gb-kustomize-generate gb-kustomize-cli
	row "helm-guestbook: helm template" gb-helm-cli
	row "helm-guestbook: wavecheck generate" gb-helm-generate gb-helm-cli
	for n in $sizes; do
		row "**$n** dir: wavecheck render" "dir-render-$n"
		row "$n dir: wavecheck generate (render+lint)" "dir-generate-$n" "dir-render-$n"
		row "$n kustomize: kustomize build" "kustomize-cli-$n"
		row "$n kustomize: wavecheck render" "kustomize-render-$n" "kustomize-cli-$n"
		row "$n kustomize: wavecheck generate" "kustomize-generate-$n" "kustomize-cli-$n"
		row "$n helm: helm template" "helm-cli-$n"
		row "$n helm: wavecheck render" "helm-render-$n" "helm-cli-$n"
		row "$n helm: wavecheck generate" "helm-generate-$n" "helm-cli-$n"
		row "$n lint-only: conftest test --combine (9 ported rules)" "lint-conftest-$n"
		row "$n lint-only: wavecheck validate (all built-in rules)" "lint-wavecheck-$n" "lint-conftest-$n"
		row "$n replay: wavecheck replay (simulated cluster)" "replay-$n"
	done
	echo
	echo "Ratios are wavecheck / reference: generate and render against the CLI of the same app"
	echo "variant (dir: generate against wavecheck render), lint-only against conftest (below 1 is"
	echo "faster). The CPU ratio (user+system time) is the steadier one on a loaded machine: wall time"
	echo "there mostly measures waiting for a core. \"objects out\" counts \`kind:\` lines at column 0"
	echo "of the last run's stdout (manifest streams only)."
	echo
	echo "Findings on the nine shared rules, identical for both linters (checked by run.sh, which also"
	echo "checks both find the same nine mistakes in test/bench/testdata/mistakes before timing):"
	for n in $sizes; do
		v="agree_$n"
		echo "- $n objects: ${!v}"
	done
	echo
	echo "## Targets"
	echo
	echo "Verdicts are on wall time as the targets are written; the CPU column gives the same measure"
	echo "on CPU time (for absolute targets: CPU time, what an idle core would take, roughly)."
	echo
	echo "| target | wall | verdict (wall) | CPU | verdict (CPU) |"
	echo "|---|---:|---|---:|---|"
	for n in 500 5000; do
		for v in kustomize helm; do
			if [[ -s "$work/raw/$v-generate-$n" && -s "$work/raw/$v-cli-$n" ]]; then
				x="$(ratio "$(wall "$v-generate-$n")" "$(wall "$v-cli-$n")")"
				c="$(ratio "$(cpu "$v-generate-$n")" "$(cpu "$v-cli-$n")")"
				echo "| generate <= 1.3x render CLI, $v, $n objects | ${x}x | $(verdict "$x" "<=" 1.3) | ${c}x | $(verdict "$c" "<=" 1.3) |"
			fi
		done
	done
	if [[ -s "$work/raw/lint-wavecheck-5000" ]]; then
		x="$(ratio "$(wall lint-conftest-5000)" "$(wall lint-wavecheck-5000)")"
		c="$(ratio "$(cpu lint-conftest-5000)" "$(cpu lint-wavecheck-5000)")"
		echo "| lint-only >= 5x faster than conftest, 5,000 objects | ${x}x faster | $(verdict "$x" ">=" 5) | ${c}x faster | $(verdict "$c" ">=" 5) |"
	fi
	if [[ -s "$work/raw/replay-5000" ]]; then
		echo "| replay 5,000 objects <= 3 s | $(wall replay-5000) s | $(verdict "$(wall replay-5000)" "<=" 3) | $(cpu replay-5000) s | $(verdict "$(cpu replay-5000)" "<=" 3) |"
		echo "| replay 5,000 objects <= 500 MiB peak RSS | $(rss_mib replay-5000) MiB | $(verdict "$(rss_mib replay-5000)" "<=" 500) | | |"
	fi
	if [[ -s "$work/raw/replay-500" ]]; then
		echo "| replay 500 objects <= 0.5 s | $(wall replay-500) s | $(verdict "$(wall replay-500)" "<=" 0.5) | $(cpu replay-500) s | $(verdict "$(cpu replay-500)" "<=" 0.5) |"
	fi
	ms() { awk -v w="$1" 'BEGIN{printf "%.0f", w*1000}'; }
	echo "| generate on a 10-object app <= 60 ms median (regenerated: lint cache hit) | $(ms "$(wall start-generate)") ms | $(verdict "$(wall start-generate)" "<=" 0.06) | $(ms "$(cpu start-generate)") ms | $(verdict "$(cpu start-generate)" "<=" 0.06) |"
	echo "| generate on a 10-object app <= 60 ms median (lint cache off: first generation) | $(ms "$(wall start-generate-nocache)") ms | $(verdict "$(wall start-generate-nocache)" "<=" 0.06) | $(ms "$(cpu start-generate-nocache)") ms | $(verdict "$(cpu start-generate-nocache)" "<=" 0.06) |"
	target_ratio() { # label id ref limit
		if [[ -s "$work/raw/$2" && -s "$work/raw/$3" ]]; then
			local x c
			x="$(ratio "$(wall "$2")" "$(wall "$3")")"
			c="$(ratio "$(cpu "$2")" "$(cpu "$3")")"
			echo "| $1 | ${x}x | $(verdict "$x" "<=" "$4") | ${c}x | $(verdict "$c" "<=" "$4") |"
		fi
	}
	target_ratio "wavecheck version (image's wavecheck) <= 2x a static Go binary parsing flags" start-version start-flagonly 2
	target_ratio "generate kustomize-guestbook <= 1.5x kustomize build" gb-kustomize-generate gb-kustomize-cli 1.5
	target_ratio "generate helm-guestbook <= 1.2x helm template" gb-helm-generate gb-helm-cli 1.2
	if [[ -f "$here/NOTES.md" ]]; then
		echo
		cat "$here/NOTES.md"
	fi
} >"$results"
log "wrote $results"
