#!/usr/bin/env bash
# Two whole processes in alternation, A B A B …, each under /usr/bin/time -v, and the ratio A/B taken pair by pair,
# so that a ratio holds while a shared machine's load drifts. Prints, for CPU seconds (user + system), wall seconds and
# peak resident memory, A's and B's medians and the median (min–max) of the pairs' ratios, and the load average before
# and after.
#
#   benchmarks/pairs.sh [--runs 3] [--warmup 1] --a 'COMMAND A' --b 'COMMAND B'
#
# Each command is one string run by `sh -c` (so it may set variables or redirect its output: what it prints is thrown
# away unless it redirects it). Example, the TorchSharp backend against plain TorchSharp code, 2 threads, 3 epochs:
#   benchmarks/pairs.sh --a 'dotnet mlae.dll train --dataset fashion-mnist --epochs 3 --threads 2 --backend torchsharp' \
#                       --b 'dotnet PlainTorchSharp.dll --model ae --threads 2 --epochs 3'
# The difference of two such calls with different epoch counts is the cost of the added epochs alone (start-up, data
# loading and the final evaluation cancel out).
set -uo pipefail
RUNS=3; WARMUP=1; A=""; B=""
die() { echo "pairs.sh: $*" >&2; exit 2; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    --runs) RUNS="${2:?}"; shift 2 ;;
    --warmup) WARMUP="${2:?}"; shift 2 ;;
    --a) A="${2:?}"; shift 2 ;;
    --b) B="${2:?}"; shift 2 ;;
    -h|--help) sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
done
[[ -n "$A" && -n "$B" ]] || die "give both --a and --b"
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "--runs must be a positive whole number"
[[ "$WARMUP" =~ ^[0-9]+$ ]] || die "--warmup must be a whole number"
[[ -x /usr/bin/time ]] || die "/usr/bin/time is missing (apt-get install time)"
WORK="$(mktemp -d /tmp/mlae-pairs.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT

# One run: "cpu wall peakMB exit" from /usr/bin/time -v.
run() {
  /usr/bin/time -v -o "$WORK/t" sh -c "$1" > /dev/null 2>&1
  local rc=$?
  awk -v rc="$rc" -F': ' '
    /User time/ {u=$2} /System time/ {s=$2} /Maximum resident/ {m=$2}
    /Elapsed \(wall clock\)/ {n=split($2, p, ":"); w=0; for (i=1; i<=n; i++) w=w*60+p[i]}
    END {printf "%.3f %.3f %.1f %d\n", u+s, w, m/1024, rc}' "$WORK/t"
}
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
for ((i = 0; i < WARMUP; i++)); do run "$A" > /dev/null; run "$B" > /dev/null; done
for ((i = 0; i < RUNS; i++)); do
  echo "$(run "$A") $(run "$B")" >> "$WORK/pairs"
  echo "pairs.sh: pair $((i + 1)) of $RUNS: $(tail -1 "$WORK/pairs")" >&2
done
LOAD_AFTER="$(cut -d' ' -f1-3 /proc/loadavg)"
bad="$(awk '$4 != 0 || $8 != 0' "$WORK/pairs" | wc -l)"
[[ "$bad" == 0 ]] || echo "pairs.sh: $bad pair(s) had a command that exited with an error; read the commands' output" >&2
awk -v a="$A" -v b="$B" -v lb="$LOAD_BEFORE" -v la="$LOAD_AFTER" '
  function median(x, n,   i, j, t) {
    for (i = 2; i <= n; i++) for (j = i; j > 1 && x[j-1] > x[j]; j--) { t = x[j]; x[j] = x[j-1]; x[j-1] = t }
    return n % 2 ? x[(n+1)/2] : (x[n/2] + x[n/2+1]) / 2
  }
  {
    n++
    for (f = 1; f <= 3; f++) {
      va[f, n] = $f; vb[f, n] = $(f + 4); r[f, n] = $(f + 4) > 0 ? $f / $(f + 4) : 0
    }
  }
  END {
    printf "A: %s\nB: %s\n%d pairs; load average (1/5/15 min) before %s, after %s\n", a, b, n, lb, la
    printf "%-16s %10s %10s %22s\n", "", "A median", "B median", "A/B median (min-max)"
    split("CPU s,wall s,peak MB", name, ",")
    for (f = 1; f <= 3; f++) {
      lo = 1e300; hi = 0
      for (i = 1; i <= n; i++) { xa[i] = va[f, i]; xb[i] = vb[f, i]; xr[i] = r[f, i]; if (xr[i] < lo) lo = xr[i]; if (xr[i] > hi) hi = xr[i] }
      printf "%-16s %10.2f %10.2f %10.3f (%.3f-%.3f)\n", name[f], median(xa, n), median(xb, n), median(xr, n), lo, hi
    }
  }' "$WORK/pairs"
