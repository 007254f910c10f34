#!/usr/bin/env bash
# Equivalence harness: runs two builds of the layerlens CLI on the same images and checks that every report
# they write is byte-for-byte identical. Use it when the engine changes inside but its results must not:
# build the commit before the change into a worktree, build the change, and compare.
#
#   git worktree add /tmp/old-engine <commit-before> && (cd /tmp/old-engine && npm ci && npm run build)
#   npm run build
#   bench/compare-engines.sh /tmp/old-engine/dist/cli.js dist/cli.js                  # the default inputs
#   bench/compare-engines.sh OLD_CLI NEW_CLI image.tar docker://myapp:1 --diff a.tar b.tar
#
# OLD_CLI and NEW_CLI are a dist/cli.js (run with node) or any executable taking layerlens' arguments.
#
# For each image both CLIs run once as
#     layerlens IMAGE --no-cache --ci --output json=F --output markdown=F --output sarif=F   (stdout: the verdict)
# (one analysis writes all three reports, through the same writer as --json / --format alone), and, for
# images up to COMPARE_SUMMARY_MAX_MB (default 256; 0 = never; files and directories by their size on
# disk, daemon images by `docker image inspect` .Size), once more with no flag for the plain-text summary
# and once as `--output html=F --output dive=F` (the two formats that read the loaded image's files).
# Each `--diff A B` pair runs as
#     layerlens diff A B --no-cache --ci --output json=F --output markdown=F --output html=F   (stdout: summary and verdict)
#     layerlens diff A B --no-cache --timestamps --json
# Compared, each with `cmp`: the exit code, stdout, stderr and every report file. One line per input and
# output: `same`, or `DIFFERENT` followed by the first lines of the difference (JSON and SARIF are shown
# through `jq -S .`, or node when jq is missing, so the first differing value is readable; the verdict is
# still the byte comparison).
#
# With no inputs, the defaults (each skipped with a note when absent):
#   - every *.tar of dive's test images, $LAYERLENS_DIVE_FIXTURES (default ../shared/fixtures/dive beside
#     the clone, as the tests find them);
#   - the benchmark inputs in ${XDG_CACHE_HOME:-~/.cache}/layerlens-bench/v1/ (`npm run bench` writes them):
#     medium.tar, medium-revised.tar, many-layers.tar, million.tar and the OCI layout directory medium-oci;
#   - the Docker daemon's layerlens-fixture/* images (test/fixtures/build-images.sh), as docker://NAME:TAG,
#     when `docker` answers;
#   - diff pairs: dive's docker vs kaniko archives, its OCI gzip vs zstd archives, layerlens-fixture/naive vs
#     layerlens-fixture/multistage, medium.tar vs medium-revised.tar and medium.tar vs medium-oci.
#
# Excluded from the comparison: nothing. Two runs of the same build (the old engine against itself, every
# default input, `--no-cache`) wrote byte-identical reports, verdicts and stderr: the reports carry no run
# timestamp or duration (`image.created` and `history[].created` come from the image), and `tool.version` /
# SARIF's `driver.version` is package.json's version, the same in both builds unless one bumps it (which
# would then show here, as it should). What would vary is kept out by the environment instead: every run
# has stdin from /dev/null, the same empty working directory (no .layerlens.yml, .dive-ci, Dockerfile or
# git repository to pick up; SARIF paths are relative to it), CI, FORCE_COLOR and LAYERLENS_TIMINGS unset
# and NO_COLOR=1. A daemon image rebuilt between the two runs would differ legitimately: its ID is checked
# before and after, and such an input counts as an error rather than a difference.
#
# Runs one CLI at a time; each exit-code line gives both runs' wall time. The default set takes about 10
# minutes on 2 cores (the daemon images' `docker save` and the 1-3 GB benchmark archives dominate).
# Exit status: 0 all same, 1 something differs, 2 a usage error, a missing CLI or an image that changed
# under the comparison. Outputs of a differing input are kept (the path is printed); set COMPARE_KEEP=1 to
# keep all of them. COMPARE_TIMEOUT (seconds, default 1800) bounds each CLI run.
set -uo pipefail

usage() {
	sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

[[ $# -ge 2 ]] || usage
# Absolute, because every run happens in an empty working directory of its own.
old_cli=$(realpath -m -- "$1")
new_cli=$(realpath -m -- "$2")
shift 2
for cli in "$old_cli" "$new_cli"; do
	[[ -e $cli ]] || command -v "$cli" >/dev/null || {
		echo "compare-engines: no such CLI: $cli" >&2
		exit 2
	}
done

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
dive_dir=${LAYERLENS_DIVE_FIXTURES:-$repo/../shared/fixtures/dive}
bench_dir=${XDG_CACHE_HOME:-$HOME/.cache}/layerlens-bench/v1
summary_max_mb=${COMPARE_SUMMARY_MAX_MB:-256}
run_timeout=${COMPARE_TIMEOUT:-1800}
have_jq=false
command -v jq >/dev/null && have_jq=true

work=$(mktemp -d "${TMPDIR:-/tmp}/compare-engines.XXXXXX")
cwd=$work/cwd
mkdir -p "$cwd"
started=$SECONDS
differences=0
errors=0
compared=0
keep_work=${COMPARE_KEEP:-0}

# shellcheck disable=SC2317 # invoked by the EXIT trap
cleanup() {
	if [[ $keep_work == 1 || $differences -gt 0 || $errors -gt 0 ]]; then
		echo "outputs kept in $work" >&2
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

note() { printf '%-9s %s\n' note "$*"; }

docker_ok=false
if command -v docker >/dev/null && timeout 20 docker version --format '{{.Server.Version}}' >/dev/null 2>&1; then
	docker_ok=true
fi

# The image ID behind docker://REF, or nothing.
daemon_id() {
	[[ $docker_ok == true ]] || return 0
	timeout 20 docker image inspect --format '{{.Id}}' "${1#docker://}" 2>/dev/null || true
}

# run_cli CLI OUTDIR ARGS...: one run, stdout/stderr/exit code into OUTDIR.
run_cli() {
	local cli=$1 out=$2
	shift 2
	local -a command=("$cli")
	[[ $cli == *.js || $cli == *.mjs || $cli == *.cjs ]] && command=(node "$cli")
	mkdir -p "$out"
	local begin end
	begin=$(date +%s.%N)
	(
		cd "$cwd" &&
			env -u CI -u FORCE_COLOR -u LAYERLENS_TIMINGS NO_COLOR=1 \
				timeout "$run_timeout" "${command[@]}" "$@" </dev/null >"$out/stdout" 2>"$out/stderr"
		echo $? >"$out/exit-code"
	)
	end=$(date +%s.%N)
	awk -v begin="$begin" -v end="$end" 'BEGIN { printf "%.1f", end - begin }' >"$out/seconds"
}

# A readable form of a JSON file for showing a difference: keys sorted, one value a line.
pretty_json() {
	if [[ $have_jq == true ]]; then
		jq -S . "$1" 2>/dev/null
	else
		node -e '
			const sort = (v) => Array.isArray(v) ? v.map(sort)
				: v && typeof v === "object" ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sort(v[k])])) : v;
			process.stdout.write(JSON.stringify(sort(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))), null, 2) + "\n");
		' "$1" 2>/dev/null
	fi
}

# The first lines of the difference between two files, indented, long lines cut.
show_difference() {
	local a=$1 b=$2 kind=$3 shown=
	if [[ $kind == json && -s $a && -s $b ]]; then
		if pretty_json "$a" >"$a.pretty" && pretty_json "$b" >"$b.pretty"; then
			shown=$(diff "$a.pretty" "$b.pretty" | head -n 8)
			[[ -n $shown ]] || shown='same values, different bytes (key order or formatting):'$'\n'
		fi
	fi
	if [[ -z $shown || $shown == same* ]]; then
		shown+=$(diff --text "$a" "$b" | head -n 8)
	fi
	printf '%s\n' "$shown" | cut -c1-200 | sed 's/^/    /'
}

# compare LABEL WHAT OLDFILE NEWFILE KIND: one result line.
compare() {
	local label=$1 what=$2 a=$3 b=$4 kind=$5
	compared=$((compared + 1))
	if [[ ! -e $a && ! -e $b ]]; then
		printf '%-9s %-40s %s\n' same "$label" "$what (written by neither)"
		return 0
	fi
	if [[ ! -e $a || ! -e $b ]]; then
		differences=$((differences + 1))
		printf '%-9s %-40s %s\n' DIFFERENT "$label" "$what: written only by $([[ -e $a ]] && echo OLD || echo NEW)"
		return 1
	fi
	if cmp -s "$a" "$b"; then
		printf '%-9s %-40s %s\n' same "$label" "$what"
		return 0
	fi
	differences=$((differences + 1))
	printf '%-9s %-40s %s\n' DIFFERENT "$label" "$what (< OLD, > NEW):"
	show_difference "$a" "$b" "$kind"
	return 1
}

# compare_run LABEL WHAT DIR STDOUT_KIND FILE:KIND...: exit code, stdout (text, or json when it is the
# report), stderr and the named report files of one run.
compare_run() {
	local label=$1 what=$2 dir=$3 stdout_kind=$4
	shift 4
	local failed=0 rc_old rc_new
	rc_old=$(cat "$dir/old/exit-code" 2>/dev/null || echo '?')
	rc_new=$(cat "$dir/new/exit-code" 2>/dev/null || echo '?')
	local took
	took="OLD $(cat "$dir/old/seconds" 2>/dev/null) s, NEW $(cat "$dir/new/seconds" 2>/dev/null) s"
	if [[ $rc_old == "$rc_new" ]]; then
		compared=$((compared + 1))
		printf '%-9s %-40s %s\n' same "$label" "$what exit code ($rc_old; $took)"
		if [[ $rc_old == 124 ]]; then
			note "$label: both runs timed out after ${run_timeout}s (COMPARE_TIMEOUT)"
		elif [[ $rc_old == 2 ]]; then
			note "$label: both runs failed: $(head -n 1 "$dir/old/stderr" | cut -c1-160)"
		fi
	else
		compared=$((compared + 1))
		differences=$((differences + 1))
		printf '%-9s %-40s %s\n' DIFFERENT "$label" "$what exit code: OLD $rc_old, NEW $rc_new ($took)"
		failed=1
	fi
	compare "$label" "$what stdout" "$dir/old/stdout" "$dir/new/stdout" "$stdout_kind" || failed=1
	compare "$label" "$what stderr" "$dir/old/stderr" "$dir/new/stderr" text || failed=1
	local spec
	for spec in "$@"; do
		compare "$label" "$what ${spec%%:*}" "$dir/old/${spec%%:*}" "$dir/new/${spec%%:*}" "${spec##*:}" || failed=1
	done
	return $failed
}

# Size in MB of a file, a directory or a daemon image (0 when unknown).
size_mb() {
	local bytes=
	if [[ -e $1 ]]; then
		du -smL "$1" 2>/dev/null | cut -f1
		return
	elif [[ $1 == docker://* && $docker_ok == true ]]; then
		bytes=$(timeout 20 docker image inspect --format '{{.Size}}' "${1#docker://}" 2>/dev/null)
	fi
	echo $((${bytes:-0} / 1000000))
}

short() {
	case $1 in
		docker://* | podman://*) printf '%s' "$1" ;;
		*) basename "$1" ;;
	esac
}

# A daemon image's ID before and after a comparison: a rebuild in between is not the engines' doing.
check_unchanged() {
	local label=$1 input=$2 before=$3
	[[ -n $before ]] || return 0
	local after
	after=$(daemon_id "$input")
	if [[ $after != "$before" ]]; then
		errors=$((errors + 1))
		printf '%-9s %-40s %s\n' ERROR "$label" "the image changed during the comparison ($before -> ${after:-gone}); run again"
		return 1
	fi
}

case_number=0

compare_image() {
	local input=$1 label dir before failed=0
	label=$(short "$input")
	case_number=$((case_number + 1))
	dir=$work/$case_number
	before=$(daemon_id "$input")
	local side cli
	for side in old new; do
		cli=$old_cli
		[[ $side == new ]] && cli=$new_cli
		run_cli "$cli" "$dir/$side" "$input" --no-cache --ci \
			--output "json=$dir/$side/report.json" \
			--output "markdown=$dir/$side/report.md" \
			--output "sarif=$dir/$side/report.sarif"
	done
	compare_run "$label" "--ci" "$dir" text report.json:json report.md:text report.sarif:json || failed=1
	if ((summary_max_mb > 0 && $(size_mb "$input") <= summary_max_mb)); then
		for side in old new; do
			cli=$old_cli
			[[ $side == new ]] && cli=$new_cli
			run_cli "$cli" "$dir/summary/$side" "$input" --no-cache
		done
		compare_run "$label" "summary" "$dir/summary" text || failed=1
		# The HTML page and dive's export read the image as loaded (the final files), not the report alone.
		for side in old new; do
			cli=$old_cli
			[[ $side == new ]] && cli=$new_cli
			run_cli "$cli" "$dir/pages/$side" "$input" --no-cache \
				--output "html=$dir/pages/$side/report.html" \
				--output "dive=$dir/pages/$side/dive.json"
		done
		compare_run "$label" "html+dive" "$dir/pages" text report.html:text dive.json:json || failed=1
	fi
	check_unchanged "$label" "$input" "$before" || failed=1
	[[ $failed == 1 || $keep_work == 1 ]] || rm -rf "$dir"
}

compare_diff() {
	local a=$1 b=$2 label dir before_a before_b failed=0
	label="diff $(short "$a") $(short "$b")"
	case_number=$((case_number + 1))
	dir=$work/$case_number
	before_a=$(daemon_id "$a")
	before_b=$(daemon_id "$b")
	local side cli
	for side in old new; do
		cli=$old_cli
		[[ $side == new ]] && cli=$new_cli
		run_cli "$cli" "$dir/$side" diff "$a" "$b" --no-cache --ci \
			--output "json=$dir/$side/diff.json" \
			--output "markdown=$dir/$side/diff.md" \
			--output "html=$dir/$side/diff.html"
	done
	compare_run "$label" "--ci" "$dir" text diff.json:json diff.md:text diff.html:text || failed=1
	for side in old new; do
		cli=$old_cli
		[[ $side == new ]] && cli=$new_cli
		run_cli "$cli" "$dir/timestamps/$side" diff "$a" "$b" --no-cache --timestamps --json
	done
	compare_run "$label" "--timestamps --json" "$dir/timestamps" json || failed=1
	check_unchanged "$label" "$a" "$before_a" || failed=1
	check_unchanged "$label" "$b" "$before_b" || failed=1
	[[ $failed == 1 || $keep_work == 1 ]] || rm -rf "$dir"
}

# An input path made absolute (the CLIs run in an empty directory); daemon references stay as they are.
absolute() {
	if [[ -e $1 ]]; then
		printf '%s' "$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
	else
		printf '%s' "$1"
	fi
}

images=()
diffs=()

if [[ $# -gt 0 ]]; then
	while [[ $# -gt 0 ]]; do
		if [[ $1 == --diff ]]; then
			[[ $# -ge 3 ]] || usage
			diffs+=("$(absolute "$2")" "$(absolute "$3")")
			shift 3
		else
			images+=("$(absolute "$1")")
			shift
		fi
	done
else
	if [[ -d $dive_dir ]]; then
		dive_dir=$(cd "$dive_dir" && pwd)
		for file in "$dive_dir"/*.tar; do
			[[ -f $file ]] && images+=("$file")
		done
	else
		note "dive's test images not found at $dive_dir (set LAYERLENS_DIVE_FIXTURES): skipped"
	fi

	for name in medium.tar medium-revised.tar medium-oci many-layers.tar million.tar; do
		if [[ -e $bench_dir/$name ]]; then
			images+=("$bench_dir/$name")
		else
			note "$bench_dir/$name not found (npm run bench prepares it): skipped"
		fi
	done

	fixture_images=()
	if [[ $docker_ok == true ]]; then
		# The images the fixture script builds, and any other layerlens-fixture/* the daemon has.
		expected=$(grep -oE 'layerlens-fixture/[a-z0-9-]+' "$repo/test/fixtures/build-images.sh" 2>/dev/null | sort -u)
		present=$(docker image ls --filter 'reference=layerlens-fixture/*' --format '{{.Repository}}:{{.Tag}}' |
			grep -v '<none>' | sort -u)
		for name in $expected; do
			grep -qx "$name:latest" <<<"$present" ||
				note "docker image $name not found (test/fixtures/build-images.sh builds it): skipped"
		done
		for name in $present; do
			fixture_images+=("docker://$name")
		done
		images+=("${fixture_images[@]}")
	else
		note "docker is not answering: the layerlens-fixture/* images are skipped"
	fi

	pair() {
		if [[ -e $1 || ($1 == docker://* && -n $(daemon_id "$1")) ]] &&
			[[ -e $2 || ($2 == docker://* && -n $(daemon_id "$2")) ]]; then
			diffs+=("$1" "$2")
		else
			note "diff $(short "$1") $(short "$2"): an image is missing, skipped"
		fi
	}
	pair "$dive_dir/test-docker-image.tar" "$dive_dir/test-kaniko-image.tar"
	pair "$dive_dir/test-oci-gzip-image.tar" "$dive_dir/test-oci-zstd-image.tar"
	pair docker://layerlens-fixture/naive:latest docker://layerlens-fixture/multistage:latest
	pair "$bench_dir/medium.tar" "$bench_dir/medium-revised.tar"
	pair "$bench_dir/medium.tar" "$bench_dir/medium-oci"
fi

echo "OLD $old_cli"
echo "NEW $new_cli"
for input in "${images[@]}"; do
	compare_image "$input"
done
for ((index = 0; index < ${#diffs[@]}; index += 2)); do
	compare_diff "${diffs[index]}" "${diffs[index + 1]}"
done

echo "${#images[@]} images, $((${#diffs[@]} / 2)) diff pairs, $compared comparisons: $differences different, $errors errors, $((SECONDS - started)) s"
if ((errors > 0)); then
	exit 2
elif ((differences > 0)); then
	exit 1
fi
exit 0
