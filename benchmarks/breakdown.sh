#!/usr/bin/env bash
# Where one epoch of the reference autoencoder spends its time, beside the GEMM rates on the same shapes, in one run:
#   1. benchmarks/GemmPeak --cases training: GFLOP/s of every GEMM of a training step (managed and OpenBLAS, 1 and 2 threads);
#   2. benchmarks/EpochBreakdown: one epoch timed phase by phase (GEMMs by shape, bias/activation, loss, Adam, row gather,
#      allocations and GCs) with each GEMM provider, on 1 and 2 threads;
#   3. benchmarks/breakdown_report.py: the tables, and the epoch's roofline: its GEMM FLOPs at the best rate measured
#      for each shape, against the measured epoch.
#
#   benchmarks/breakdown.sh [--threads 1,2] [--epochs 2] [--name breakdown]
#
# The load average is recorded before and after each step. Results: benchmarks/results/<name>.json and <name>.md.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH="$ROOT/benchmarks"
ART="${BENCH_ARTIFACTS:-/tmp/art-breakdown}"
THREADS=1,2; EPOCHS=2; NAME=breakdown
die() { echo "breakdown.sh: $*" >&2; exit 2; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    --threads) THREADS="${2:?}"; shift 2 ;;
    --epochs) EPOCHS="${2:?}"; shift 2 ;;
    --name) NAME="${2:?}"; shift 2 ;;
    -h|--help) sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
done
WORK="$(mktemp -d /tmp/mlae-breakdown.XXXXXX)"
echo "breakdown.sh: raw outputs in $WORK" >&2
for p in GemmPeak EpochBreakdown; do
  dotnet build -c Release "$BENCH/$p" --artifacts-path "$ART" -nologo -v q >> "$WORK/build.log" 2>&1 \
    || { tail -20 "$WORK/build.log" >&2; die "building $p failed (log: $WORK/build.log)"; }
done
step() {
  local name="$1"; shift
  echo "breakdown.sh: [$name] $*" >&2
  cut -d' ' -f1-3 /proc/loadavg > "$WORK/$name.load"
  "$@" > "$WORK/$name.out" 2> "$WORK/$name.err" || die "$name failed: $(tail -3 "$WORK/$name.err")"
  cut -d' ' -f1-3 /proc/loadavg >> "$WORK/$name.load"
}
step gemm dotnet "$ART/bin/GemmPeak/release/GemmPeak.dll" --cases training --threads "$THREADS" --reps 3
for g in openblas managed; do
  step "epoch-$g" dotnet "$ART/bin/EpochBreakdown/release/EpochBreakdown.dll" --gemm "$g" --threads "$THREADS" --epochs "$EPOCHS"
done
mkdir -p "$BENCH/results"
/usr/bin/python3 "$BENCH/breakdown_report.py" --work "$WORK" --json-out "$BENCH/results/$NAME.json" --md-out "$BENCH/results/$NAME.md"
