#!/usr/bin/env bash
# bench.sh: time siptls, a decoding floor, tshark and ssldump on the same large
# generated CUCM captures, in one run.
#
# Usage: scripts/bench.sh [SIZE...]        (default: 200MB 1GiB)
#
# For each shape in $BENCH_SHAPES (default: "trunk dense") and each SIZE (kB,
# MB, GB, KiB, MiB, GiB), it generates a capture with internal/cmd/mkbench
# (seed 1) into $BENCH_DIR (default ${TMPDIR:-/tmp}/siptls-bench) unless the
# file is already there; for the dense shape at $BENCH_RATE_SIZE (default
# 200MB) also the high-rate variant (-rate $BENCH_RATE, default 120 new
# connections per second). siptls is built as the release archives are
# (CGO_ENABLED=0, -trimpath, -ldflags "-s -w"). On each file it runs,
# $BENCH_RUNS times (default 3) and in turn, each reader with stdout to a
# file and /usr/bin/time -v:
#   json    siptls analyze --format json FILE   (one compact JSON document)
#   ndjson  siptls analyze --format ndjson FILE (records; certificates once)
#   text    siptls analyze FILE
#   jobs2   siptls analyze --format json --jobs 2 FILE (the analysis in two
#           shards; not run unless named in BENCH_READERS)
#   floor   decodefloor FILE   (internal/cmd/decodefloor: pcapgo and a
#           DecodingLayerParser, no flows)
#   tshark  tshark -n -r FILE -Y tls.handshake.certificate -T fields \
#           -e frame.number -e tcp.stream -e tls.handshake.certificate
#   ssldump ssldump -N -n -r FILE
# and prints one row per file and reader: the median wall time, MB/s, the
# median CPU time (user+sys), the highest peak RSS of the runs, the output's
# size, connections per second and µs of CPU per connection (connections are
# the capture's SYNs, as the floor counts them), and the 1-minute load average
# just before the reader's first run. Timings on a shared machine are noisy:
# keep the load column beside any figure you quote.
#
# Environment:
#   BENCH_DIR=DIR         where captures, binaries and outputs go
#   BENCH_RUNS=N          runs per reader and file (default 3; the median is shown)
#   BENCH_SHAPES="..."    generator shapes (default "trunk dense")
#   BENCH_RATE=N          the high-rate variant's new connections per second (default 120; 0: none)
#   BENCH_RATE_SIZE=SIZE  the size at which the high-rate variant runs (default 200MB)
#   BENCH_READERS="..."   readers to run (default "json ndjson text floor tshark ssldump")
#   BENCH_SKIP_SIPTLS=1   leave out json, ndjson and text (siptls is not built)
#   BENCH_SKIP_TSHARK=1   leave out tshark
#   BENCH_SKIP_SSLDUMP=1  leave out ssldump
#   BENCH_KEYLOG=1        the cost of decryption: the captures are made with
#                         mkbench -keylog (every connection a real TLS session
#                         carrying real SIP, its key log in FILE.keys beside
#                         FILE, named bench-keylog-...), and the readers are
#                         json and keylog (siptls analyze --format json
#                         --keylog FILE.keys FILE) unless BENCH_READERS says
#                         otherwise; after each file a line gives keylog's wall
#                         time, CPU time and peak RSS over json's. Making a
#                         key-log capture runs a TLS handshake per connection
#                         (a few minutes per GB for trunk, more for dense; a
#                         dense GB has more sessions than siptls reads from one
#                         key log, 65,536: use BENCH_SHAPES=trunk there)
#   BENCH_KEYLOG_FLAGS="..." more siptls flags for the keylog reader, e.g.
#                         "--decrypt-bytes 16384" or "--decrypt-bytes 0"
#   BENCH_TRIAGE=N        also time siptls triage --format json over N dense
#                         captures of $BENCH_TRIAGE_SIZE each (default 20MB,
#                         seeds 1..N) with --jobs 1 and --jobs 2, and print the
#                         speed-up (issue 11 asks for >= 1.8x, RSS <= 64 MiB
#                         a job)
#
# A reader that is not installed (tshark, ssldump) is left out with a note on
# stderr. siptls exits 1 when it finds failed handshakes (the benchmark
# captures have some); only exit codes above 1 count as failures.
set -euo pipefail

cd "$(dirname "$0")/.."
dir=${BENCH_DIR:-${TMPDIR:-/tmp}/siptls-bench}
mkdir -p "$dir"
[ $# -gt 0 ] || set -- 200MB 1GiB
runs=${BENCH_RUNS:-3}
shapes=${BENCH_SHAPES:-trunk dense}
hirate=${BENCH_RATE:-120}
ratesize=${BENCH_RATE_SIZE:-200MB}
keylog=${BENCH_KEYLOG:-}
if [ "$keylog" = 1 ]; then
	readers=${BENCH_READERS:-json keylog}
else
	readers=${BENCH_READERS:-json ndjson text floor tshark ssldump}
fi

die() { echo "bench.sh: $*" >&2; exit 2; }

[ -x /usr/bin/time ] || die "/usr/bin/time is missing (apt-get install time)"

# drop READER: removes READER from $readers.
drop() { readers=$(echo " $readers " | sed "s/ $1 / /g"); }
if [ "${BENCH_SKIP_SIPTLS:-}" = 1 ]; then
	drop json; drop ndjson; drop text; drop keylog
	for r in $readers; do case $r in jobs*) drop "$r" ;; esac; done
fi
case " $readers " in *" keylog "*) [ "$keylog" = 1 ] || die "the keylog reader needs BENCH_KEYLOG=1 (captures made with their key logs)" ;; esac
if [ "${BENCH_SKIP_TSHARK:-}" = 1 ]; then
	drop tshark
elif ! command -v tshark >/dev/null; then
	echo "bench.sh: tshark not found; leaving it out" >&2
	drop tshark
fi
if [ "${BENCH_SKIP_SSLDUMP:-}" = 1 ]; then
	drop ssldump
elif ! command -v ssldump >/dev/null; then
	echo "bench.sh: ssldump not found (apt-get install ssldump); leaving it out" >&2
	drop ssldump
fi

case " $readers $([ "${BENCH_TRIAGE:-0}" -gt 0 ] && echo triage) " in *" json "* | *" ndjson "* | *" text "* | *" keylog "* | *" triage "* | *" jobs"*)
	# Built as the release archives are (.goreleaser.yaml): static, no
	# symbol table. A default build links libc when a C compiler is there
	# and maps more of itself: 2 to 4 MiB more peak RSS.
	if ! CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$dir/siptls" ./cmd/siptls 2>"$dir/build.log"; then
		cat "$dir/build.log" >&2
		die "go build ./cmd/siptls failed (see above); set BENCH_SKIP_SIPTLS=1 to time the others"
	fi
esac
go build -o "$dir/mkbench" ./internal/cmd/mkbench || die "go build ./internal/cmd/mkbench failed"
go build -o "$dir/decodefloor" ./internal/cmd/decodefloor || die "go build ./internal/cmd/decodefloor failed"

# command READER FILE: prints the command line of READER on FILE, one word a line.
command_of() {
	case $1 in
	json) printf '%s\n' "$dir/siptls" analyze --format json "$2" ;;
	ndjson) printf '%s\n' "$dir/siptls" analyze --format ndjson "$2" ;;
	jobs[0-9]*) printf '%s\n' "$dir/siptls" analyze --format json --jobs "${1#jobs}" "$2" ;;
	text) printf '%s\n' "$dir/siptls" analyze "$2" ;;
	keylog) # shellcheck disable=SC2086 # BENCH_KEYLOG_FLAGS is split into flags
		printf '%s\n' "$dir/siptls" analyze --format json --keylog "${2%.pcap}.keys" ${BENCH_KEYLOG_FLAGS:-} "$2" ;;
	floor) printf '%s\n' "$dir/decodefloor" "$2" ;;
	tshark) printf '%s\n' tshark -n -r "$2" -Y tls.handshake.certificate -T fields \
		-e frame.number -e tcp.stream -e tls.handshake.certificate ;;
	ssldump) printf '%s\n' ssldump -N -n -r "$2" ;;
	*) die "unknown reader $1" ;;
	esac
}

# measure LOG OUT CMD...: runs CMD with stdout to OUT under /usr/bin/time -v,
# and prints "wall_seconds cpu_seconds peak_kib exit_code".
measure() {
	local log=$1 out=$2
	shift 2
	local code=0
	/usr/bin/time -v -o "$log" "$@" >"$out" 2>"$log.stderr" || code=$?
	awk -v code="$code" '
		/Elapsed \(wall clock\)/ {
			n = split($NF, p, ":"); s = 0
			for (i = 1; i <= n; i++) s = s * 60 + p[i]
		}
		/User time \(seconds\)/ { cpu += $NF }
		/System time \(seconds\)/ { cpu += $NF }
		/Maximum resident set size/ { rss = $NF }
		END { printf "%.2f %.2f %d %d\n", s, cpu, rss, code }' "$log"
}

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
div() { awk -v a="$1" -v b="$2" -v f="$3" 'BEGIN { if (b > 0) printf f, a / b; else print "-" }'; }
load1() { cut -d' ' -f1 /proc/loadavg; }

# bench LABEL FILE: times every reader on FILE and prints their rows.
bench() {
	local label=$1 file=$2
	local bytes mb conns
	bytes=$(stat -c %s "$file")
	mb=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1e6 }')
	conns=$("$dir/decodefloor" "$file" | awk '{ print $(NF-1) }')
	local r jwall= jcpu= jpeak= kwall= kcpu= kpeak=
	for r in $readers; do
		local cmd=() walls=() cpus=() peak=0 load i
		mapfile -t cmd < <(command_of "$r" "$file")
		load=$(load1)
		for ((i = 1; i <= runs; i++)); do
			local log="$dir/$r-$label.time" out="$dir/$r-$label.out"
			read -r sec cpu rss code < <(measure "$log" "$out" "${cmd[@]}")
			if case $r in json | ndjson | text | keylog | jobs*) true ;; *) false ;; esac && [ "$code" -le 1 ]; then
				code=0
			fi
			if [ "$code" -ne 0 ]; then
				tail -5 "$log.stderr" >&2
				die "$r exited $code on $file"
			fi
			walls+=("$sec") cpus+=("$cpu")
			[ "$rss" -gt "$peak" ] && peak=$rss
		done
		local wall cpu outb
		wall=$(printf '%s\n' "${walls[@]}" | median)
		cpu=$(printf '%s\n' "${cpus[@]}" | median)
		outb=$(stat -c %s "$dir/$r-$label.out")
		rm -f "$dir/$r-$label.out"
		case $r in
		json) jwall=$wall jcpu=$cpu jpeak=$peak ;;
		keylog) kwall=$wall kcpu=$cpu kpeak=$peak ;;
		esac
		printf '%-20s %8s %7s %7s %9s %7s %8s %8s %9s %8s %9s %6s\n' \
			"$label" "$mb" "$conns" "$r" "$wall" "$(div "$mb" "$wall" %.1f)" "$cpu" \
			"$(div "$peak" 1024 %.0f)" "$(div "$outb" 1e6 %.1f)" "$(div "$conns" "$wall" %.0f)" \
			"$(div "$cpu" "$conns" %.10f | awk '{ if ($1 == "-") print "-"; else printf "%.0f", $1 * 1e6 }')" "$load"
	done
	if [ -n "$jwall" ] && [ -n "$kwall" ]; then
		echo "# $label: --keylog costs $(div "$kwall" "$jwall" %.2f)x the wall time, $(div "$kcpu" "$jcpu" %.2f)x the CPU time and $(div "$kpeak" "$jpeak" %.2f)x the peak RSS of json without it ($(wc -l <"${file%.pcap}.keys") key log lines)"
	fi
}

# capture SHAPE SIZE [RATE]: prints the capture's path, generating it if needed.
capture() {
	local shape=$1 size=$2 rate=${3:-0} file prefix=bench extra=()
	[ "$keylog" = 1 ] && prefix=bench-keylog
	if [ "$shape" = trunk ]; then
		file="$dir/$prefix-$size-seed1.pcap" # the name bench.sh always used
	elif [ "$rate" = 0 ]; then
		file="$dir/$prefix-$shape-$size-seed1.pcap"
	else
		file="$dir/$prefix-$shape-rate$rate-$size-seed1.pcap"
	fi
	[ "$keylog" = 1 ] && extra=(-keylog "${file%.pcap}.keys")
	if [ ! -s "$file" ] || { [ "$keylog" = 1 ] && [ ! -s "${file%.pcap}.keys" ]; }; then
		"$dir/mkbench" -shape "$shape" -rate "$rate" -size "$size" -seed 1 "${extra[@]}" -o "$file" >&2 ||
			die "mkbench -shape $shape -size $size failed"
	fi
	echo "$file"
}

echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(uname -m), load average $(cut -d' ' -f1-3 /proc/loadavg), $runs runs each (medians; RSS is the highest peak)"
echo "# siptls $(git rev-parse --short HEAD 2>/dev/null || echo '?'); $(tshark --version 2>/dev/null | head -1 || true)"
printf '%-20s %8s %7s %7s %9s %7s %8s %8s %9s %8s %9s %6s\n' \
	capture file_MB conns reader wall_s MB/s cpu_s RSS_MiB out_MB conns/s us_cpu/c load1
for shape in $shapes; do
	for size in "$@"; do
		bench "$shape-$size" "$(capture "$shape" "$size")"
		if [ "$shape" = dense ] && [ "$size" = "$ratesize" ] && [ "$hirate" != 0 ]; then
			bench "$shape-rate$hirate-$size" "$(capture "$shape" "$size" "$hirate")"
		fi
	done
done

# triage --jobs scaling over BENCH_TRIAGE dense captures.
if [ "${BENCH_TRIAGE:-0}" -gt 0 ] && [ "${BENCH_SKIP_SIPTLS:-}" != 1 ]; then
	tsize=${BENCH_TRIAGE_SIZE:-20MB}
	tdir="$dir/triage-$BENCH_TRIAGE-$tsize"
	mkdir -p "$tdir"
	for ((s = 1; s <= BENCH_TRIAGE; s++)); do
		f="$tdir/dense-$tsize-seed$s.pcap"
		[ -s "$f" ] || "$dir/mkbench" -shape dense -size "$tsize" -seed "$s" -o "$f" >&2 ||
			die "mkbench -seed $s failed"
	done
	tmb=$(du -sb "$tdir" | awk '{ printf "%.1f", $1 / 1e6 }')
	echo
	printf '%-28s %8s %9s %7s %8s %8s %8s\n' triage total_MB wall_s MB/s cpu_s RSS_MiB speedup
	base=
	for jobs in 1 2; do
		walls=() cpus=() peak=0
		for ((i = 1; i <= runs; i++)); do
			read -r sec cpu rss code < <(measure "$dir/triage-j$jobs.time" /dev/null "$dir/siptls" triage -q --format json --jobs "$jobs" "$tdir")
			[ "$code" -le 1 ] || die "triage --jobs $jobs exited $code"
			walls+=("$sec") cpus+=("$cpu")
			[ "$rss" -gt "$peak" ] && peak=$rss
		done
		wall=$(printf '%s\n' "${walls[@]}" | median)
		cpu=$(printf '%s\n' "${cpus[@]}" | median)
		[ -n "$base" ] || base=$wall
		printf '%-28s %8s %9s %7s %8s %8s %8s\n' "$BENCH_TRIAGE x $tsize --jobs $jobs" "$tmb" "$wall" \
			"$(div "$tmb" "$wall" %.1f)" "$cpu" "$(div "$peak" 1024 %.0f)" "$(div "$base" "$wall" %.2f)"
	done
fi
