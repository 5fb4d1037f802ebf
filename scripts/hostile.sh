#!/usr/bin/env bash
# hostile.sh: run siptls on the full-scale hostile-input corpus of issue 9 and
# print one markdown table row per run.
#
# Usage: scripts/hostile.sh [DIR]
#
# DIR (default ${TMPDIR:-/tmp}/siptls-hostile) receives the siptls and
# mkhostile binaries, the corpus (DIR/corpus, written by
# `go run ./internal/cmd/mkhostile -scale full`, about 4 GB, unless
# DIR/corpus/manifest.tsv is already there; its manifest is then rewritten from
# the current cases, and the corpus made again if a case reads a capture it
# lacks) and each run's output and
# /usr/bin/time -v log (DIR/runs). Each run of DIR/corpus/manifest.tsv goes
# through /usr/bin/time -v, `timeout` (killed at HOSTILE_KILL_FACTOR times its
# time bound, default 12: 60 s for the 5 s runs, 360 s for the 30 s floods)
# and `prlimit --as` (HOSTILE_AS bytes of address space, default 10 GiB, so
# that a runaway run cannot take the machine's memory). The table gives the
# input, the command, wall time, peak RSS, exit status, the first line of the
# message (standard error when there is one, else the last line of standard
# output, control characters shown as \xNN) and the check against the
# manifest: exit status, time and RSS bounds, no stack trace, no control
# characters or invalid UTF-8, and the case's expressions.
#
# Environment:
#   HOSTILE_SCALE=small     use the small corpus instead (seconds in all)
#   HOSTILE_ONLY=REGEXP     run only the cases whose name matches
#   HOSTILE_KILL_FACTOR=N   see above
#   HOSTILE_AS=BYTES        see above
#
# The case that needs a folder of mode 000 runs as nobody (setpriv) when the
# script runs as root, and is skipped when setpriv is missing; DIR must then
# be readable by nobody.
set -euo pipefail

cd "$(dirname "$0")/.."
dir=${1:-${TMPDIR:-/tmp}/siptls-hostile}
scale=${HOSTILE_SCALE:-full}
corpus=$dir/corpus
runs=$dir/runs
factor=${HOSTILE_KILL_FACTOR:-12}
as=${HOSTILE_AS:-$((10 << 30))}
mkdir -p "$dir" "$runs"

die() { echo "hostile.sh: $*" >&2; exit 2; }
for tool in /usr/bin/time timeout prlimit iconv; do
	command -v "$tool" >/dev/null || die "$tool is missing"
done

go build -o "$dir/siptls" ./cmd/siptls || die "go build ./cmd/siptls failed"
go build -o "$dir/mkhostile" ./internal/cmd/mkhostile || die "go build ./internal/cmd/mkhostile failed"
if [ ! -s "$corpus/manifest.tsv" ]; then
	"$dir/mkhostile" -scale "$scale" -o "$corpus" >&2 || die "mkhostile failed"
else
	"$dir/mkhostile" -scale "$scale" -o "$corpus" -manifest || die "mkhostile -manifest failed"
	# A case added since the corpus was made reads a capture it lacks:
	# make the corpus again.
	missing=$(cut -f6- "$corpus/manifest.tsv" | tr '\t' '\n' | grep -E '\.pcap(ng)?$' | sort -u |
		while read -r f; do [ -e "$corpus/$f" ] || echo "$f"; done)
	if [ -n "$missing" ]; then
		echo "hostile.sh: the corpus lacks $(echo $missing): making it again" >&2
		"$dir/mkhostile" -scale "$scale" -o "$corpus" >&2 || die "mkhostile failed"
	fi
fi
siptls=$(cd "$dir" && pwd)/siptls
runs=$(cd "$runs" && pwd)
forbidden=$(jq -r '.[0].forbidden' "$corpus/manifest.json" 2>/dev/null || echo 'goroutine \d|panic:|fatal error|runtime\.|\.go:\d+')

# show TEXT: one table cell, control characters as \xNN, pipes escaped, at most 110 characters.
show() {
	LC_ALL=C.UTF-8 perl -CS -Mutf8 -ne 'chomp; s/([\x00-\x1f\x7f-\x9f])/sprintf("\\x%02x", ord $1)/ge; s/\|/\\|/g; print substr($_, 0, 110), (length > 110 ? "…" : "")' <<<"$1" 2>/dev/null || printf '%s' "${1:0:110}"
}

echo "siptls $(git describe --always --dirty 2>/dev/null || echo '?'), $scale corpus, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"
echo
echo "| input | command | time | peak RSS | exit | message | check |"
echo "|---|---|---|---|---|---|---|"
while IFS=$'\t' read -r -a f; do
	name=${f[0]} codes=${f[1]} secs=${f[2]} mib=${f[3]} nonroot=${f[4]}
	args=("${f[@]:5}")
	[ -n "${HOSTILE_ONLY:-}" ] && ! [[ $name =~ $HOSTILE_ONLY ]] && continue
	input=$(jq -r --arg n "$name" '.[] | select(.name == $n) | .input' "$corpus/manifest.json" 2>/dev/null || echo "$name")
	match=$(jq -r --arg n "$name" '.[] | select(.name == $n) | .match // ""' "$corpus/manifest.json" 2>/dev/null || true)
	nomatch=$(jq -r --arg n "$name" '.[] | select(.name == $n) | .no_match // ""' "$corpus/manifest.json" 2>/dev/null || true)
	cmd="siptls ${args[*]}"
	as_user=()
	if [ "$nonroot" = true ] && [ "$(id -u)" = 0 ]; then
		if ! command -v setpriv >/dev/null; then
			echo "| $name: $input | \`$cmd\` | - | - | - | skipped: root reads a folder of mode 000 | - |"
			continue
		fi
		as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
		cmd="$cmd (as nobody)"
	fi
	out=$runs/$name.out err=$runs/$name.err log=$runs/$name.time
	kill_after=$(awk -v s="$secs" -v f="$factor" 'BEGIN { print s * f }')
	code=0
	(cd "$corpus" && /usr/bin/time -v -o "$log" timeout --foreground -s KILL "$kill_after" \
		prlimit --as="$as" -- "${as_user[@]}" "$siptls" "${args[@]}" >"$out" 2>"$err" </dev/null) || code=$?
	read -r wall rss < <(awk '
		/Elapsed \(wall clock\)/ { n = split($NF, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i] }
		/Maximum resident set size/ { rss = $NF }
		END { printf "%.2f %d\n", s, rss }' "$log")
	problems=()
	if [ "$code" = 137 ] || [ "$code" = 124 ]; then
		problems+=("killed at ${kill_after}s")
	else
		[[ ",$codes," == *",$code,"* ]] || problems+=("exit $code not $codes")
		awk -v w="$wall" -v s="$secs" 'BEGIN { exit !(w > s) }' && problems+=("over ${secs}s")
	fi
	[ "$rss" -gt $((mib * 1024)) ] && problems+=("over ${mib} MiB")
	grep -qaP -- "$forbidden" "$out" "$err" && problems+=("stack trace")
	iconv -f UTF-8 -t UTF-8 "$out" "$err" >/dev/null 2>&1 || problems+=("invalid UTF-8")
	LC_ALL=C.UTF-8 grep -qaP '[\x00-\x08\x0b-\x1f\x7f\x{80}-\x{9f}]' "$out" "$err" 2>/dev/null && problems+=("control characters")
	# grep reads the files itself: with pipefail, `cat | grep -q` fails when grep stops early.
	[ -n "$match" ] && ! grep -qaP -- "$match" "$out" "$err" && problems+=("no match for $match")
	[ -n "$nomatch" ] && grep -qaP -- "$nomatch" "$out" "$err" && problems+=("matches $nomatch")
	check=pass
	[ ${#problems[@]} -gt 0 ] && check="FAIL: $(IFS=';'; echo "${problems[*]}" | sed 's/;/; /g')"
	msg=$(grep -am1 . "$err" || true)
	[ -n "$msg" ] || msg=$(grep -a . "$out" | tail -n1 || true)
	printf '| %s: %s | `%s` | %ss | %d MiB | %s | %s | %s |\n' "$name" "$input" "$cmd" "$wall" $((rss / 1024)) "$code" "$(show "$msg")" "$(show "$check")"
done <"$corpus/manifest.tsv"
