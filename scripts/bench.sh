#!/usr/bin/env bash
# bench.sh: time siptls against tshark on large generated CUCM captures.
#
# Usage: scripts/bench.sh [SIZE...]        (default: 200MB 1GiB)
#
# For each SIZE (kB, MB, GB, KiB, MiB, GiB), it generates a capture with
# internal/cmd/mkbench (seed 1) into $BENCH_DIR (default ${TMPDIR:-/tmp}/siptls-bench)
# unless the file is already there, then times, with /usr/bin/time -v:
#   siptls analyze --format json FILE >/dev/null
#   tshark -n -r FILE -Y tls.handshake.certificate -T fields \
#          -e frame.number -e tcp.stream -e tls.handshake.certificate >/dev/null
# and prints one row per size: file size, seconds, MB/s and peak RSS of each,
# and the ratio tshark seconds / siptls seconds.
#
# Environment:
#   BENCH_DIR=DIR         where captures and binaries go
#   BENCH_SKIP_SIPTLS=1   time only tshark (siptls is not built)
#   BENCH_SKIP_TSHARK=1   time only siptls
#
# siptls exits 1 when it finds failed handshakes (the benchmark captures have
# some); only exit codes above 1 count as failures.
set -euo pipefail

cd "$(dirname "$0")/.."
dir=${BENCH_DIR:-${TMPDIR:-/tmp}/siptls-bench}
mkdir -p "$dir"
[ $# -gt 0 ] || set -- 200MB 1GiB

die() { echo "bench.sh: $*" >&2; exit 2; }

[ -x /usr/bin/time ] || die "/usr/bin/time is missing (apt-get install time)"

run_siptls=1
[ "${BENCH_SKIP_SIPTLS:-}" = 1 ] && run_siptls=0
run_tshark=1
if [ "${BENCH_SKIP_TSHARK:-}" = 1 ]; then
	run_tshark=0
elif ! command -v tshark >/dev/null; then
	echo "bench.sh: tshark not found; timing siptls only" >&2
	run_tshark=0
fi

if [ $run_siptls = 1 ]; then
	if ! go build -o "$dir/siptls" ./cmd/siptls 2>"$dir/build.log"; then
		cat "$dir/build.log" >&2
		die "go build ./cmd/siptls failed (see above); set BENCH_SKIP_SIPTLS=1 to time tshark alone"
	fi
fi
go build -o "$dir/mkbench" ./internal/cmd/mkbench || die "go build ./internal/cmd/mkbench failed"

# measure LOG CMD...: runs CMD with stdout to /dev/null under /usr/bin/time -v,
# and prints "seconds peak_kib exit_code".
measure() {
	local log=$1
	shift
	local code=0
	/usr/bin/time -v -o "$log" "$@" >/dev/null 2>"$log.stderr" || code=$?
	awk -v code="$code" '
		/Elapsed \(wall clock\)/ {
			n = split($NF, p, ":"); s = 0
			for (i = 1; i <= n; i++) s = s * 60 + p[i]
		}
		/Maximum resident set size/ { rss = $NF }
		END { printf "%.2f %d %d\n", s, rss, code }' "$log"
}

rate() { awk -v mb="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.1f", mb / s; else print "-" }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.0f", k / 1024 }'; }

printf '%-8s %9s %10s %9s %10s %10s %9s %10s %7s\n' \
	size file_MB siptls_s MB/s RSS_MiB tshark_s MB/s RSS_MiB ratio
for size in "$@"; do
	file="$dir/bench-$size-seed1.pcap"
	if [ ! -s "$file" ]; then
		"$dir/mkbench" -size "$size" -seed 1 -o "$file" >&2 || die "mkbench -size $size failed"
	fi
	mb=$(awk -v b="$(stat -c %s "$file")" 'BEGIN { printf "%.1f", b / 1e6 }')

	s_sec=- s_rate=- s_rss=-
	if [ $run_siptls = 1 ]; then
		read -r sec rss code < <(measure "$dir/siptls-$size.time" "$dir/siptls" analyze --format json "$file")
		if [ "$code" -gt 1 ]; then
			cat "$dir/siptls-$size.time.stderr" >&2
			die "siptls analyze exited $code on $file"
		fi
		s_sec=$sec s_rate=$(rate "$mb" "$sec") s_rss=$(mib "$rss")
	fi

	t_sec=- t_rate=- t_rss=-
	if [ $run_tshark = 1 ]; then
		read -r sec rss code < <(measure "$dir/tshark-$size.time" tshark -n -r "$file" -Y tls.handshake.certificate \
			-T fields -e frame.number -e tcp.stream -e tls.handshake.certificate)
		if [ "$code" -ne 0 ]; then
			cat "$dir/tshark-$size.time.stderr" >&2
			die "tshark exited $code on $file"
		fi
		t_sec=$sec t_rate=$(rate "$mb" "$sec") t_rss=$(mib "$rss")
	fi

	ratio=-
	if [ "$s_sec" != - ] && [ "$t_sec" != - ]; then
		ratio=$(awk -v a="$t_sec" -v b="$s_sec" 'BEGIN { if (b > 0) printf "%.1fx", a / b; else print "-" }')
	fi
	printf '%-8s %9s %10s %9s %10s %10s %9s %10s %7s\n' \
		"$size" "$mb" "$s_sec" "$s_rate" "$s_rss" "$t_sec" "$t_rate" "$t_rss" "$ratio"
done
