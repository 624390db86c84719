#!/usr/bin/env bash
# Side-by-side benchmark: our library (the mlae CLI, Release) against PyTorch 1.13 (AE, VAE), scikit-learn (PCA) and
# OpenBLAS (GEMM peak), in the same run. See benchmarks/README.md.
#
#   benchmarks/run.sh [--epochs 5] [--threads "1 2"] [--only ae,vae,pca,gemm] [--quality [--quality-epochs N]]
#                     [--seed 0] [--pca-repeats 3] [--name latest] [--skip-build]
#
# Timing mode (default): AE and VAE trained for --epochs (default 5) at each thread count, by each side; the faster
# thread count of each side is kept ("best of 1 and 2 threads"). Quality mode (--quality): one run per side at the
# largest thread count, 20 epochs for the AE and 10 for the VAE (the epochs the issues' targets are stated for;
# --quality-epochs overrides both). PCA: --pca-repeats fits per solver and side at the largest thread count, best kept.
# Results: a table on stdout, benchmarks/results/<name>.json and <name>.md (name: latest, or latest-quality).
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH="$ROOT/benchmarks"
PY=/usr/bin/python3
export PYTHONDONTWRITEBYTECODE=1
ART="${BENCH_ARTIFACTS:-/tmp/art-bench-release}"
EPOCHS=5
THREADS="1 2"
ONLY="ae,vae,pca,gemm"
QUALITY=0
QUALITY_EPOCHS=""
SEED=0
PCA_REPEATS=3
NAME=""
SKIP_BUILD=0

die() { echo "run.sh: $*" >&2; exit 2; }
need_value() { [[ $# -ge 2 && -n "$2" ]] || die "$1 needs a value"; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    --epochs) need_value "$@"; EPOCHS="$2"; shift 2 ;;
    --threads) need_value "$@"; THREADS="${2//,/ }"; shift 2 ;;
    --only) need_value "$@"; ONLY="$2"; shift 2 ;;
    --quality) QUALITY=1; shift ;;
    --quality-epochs) need_value "$@"; QUALITY_EPOCHS="$2"; shift 2 ;;
    --seed) need_value "$@"; SEED="$2"; shift 2 ;;
    --pca-repeats) need_value "$@"; PCA_REPEATS="$2"; shift 2 ;;
    --name) need_value "$@"; NAME="$2"; shift 2 ;;
    --skip-build) SKIP_BUILD=1; shift ;;
    -h|--help) sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
done
is_pos_int() { [[ "$1" =~ ^[1-9][0-9]*$ ]]; }
is_pos_int "$EPOCHS" || die "--epochs must be a positive whole number, got '$EPOCHS'"
is_pos_int "$PCA_REPEATS" || die "--pca-repeats must be a positive whole number, got '$PCA_REPEATS'"
[[ "$SEED" =~ ^[0-9]+$ ]] || die "--seed must be a whole number ≥ 0, got '$SEED'"
[[ -z "$QUALITY_EPOCHS" ]] || is_pos_int "$QUALITY_EPOCHS" || die "--quality-epochs must be a positive whole number"
for t in $THREADS; do is_pos_int "$t" || die "--threads expects positive whole numbers such as \"1 2\", got '$THREADS'"; done
[[ -n "${THREADS// /}" ]] || die "--threads is empty"
declare -A SEL=()
IFS=',' read -r -a parts <<< "$ONLY"
for s in "${parts[@]}"; do
  case "$s" in ae|vae|pca|gemm) SEL[$s]=1 ;; *) die "--only: unknown '$s'; expected ae, vae, pca or gemm (comma-separated)" ;; esac
done
MAXT=$(printf '%s\n' $THREADS | sort -n | tail -1)

if [[ $QUALITY -eq 1 ]]; then
  AE_EPOCHS="${QUALITY_EPOCHS:-20}"; VAE_EPOCHS="${QUALITY_EPOCHS:-10}"; RUN_THREADS="$MAXT"; MODE=quality
  NAME="${NAME:-latest-quality}"
else
  AE_EPOCHS="$EPOCHS"; VAE_EPOCHS="$EPOCHS"; RUN_THREADS="$THREADS"; MODE=timing
  NAME="${NAME:-latest}"
fi
# The AE/VAE tables show the GEMM peak beside the training GFLOP/s, so the probe runs with them.
[[ -n "${SEL[ae]:-}${SEL[vae]:-}" ]] && SEL[gemm]=1

# --- prerequisites -------------------------------------------------------------------------------------------------
if [[ ! -x /usr/bin/time ]]; then
  echo "run.sh: /usr/bin/time is missing; installing the 'time' package" >&2
  if [[ $(id -u) -eq 0 ]]; then apt-get install -y time >&2 || die "could not install 'time' (apt-get install time)"
  else sudo apt-get install -y time >&2 || die "could not install 'time' (sudo apt-get install time)"; fi
fi
[[ -x "$PY" ]] || die "$PY not found (Debian's python3 with python3-torch and python3-sklearn is the reference)"
[[ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]] \
  || die "Fashion-MNIST not found under /usr/share/datasets/fashion-mnist; run scripts/setup.sh (apt-get install dataset-fashion-mnist)"

WORK="$(mktemp -d /tmp/mlae-bench.XXXXXX)"
cp /proc/loadavg "$WORK/loadavg.start" 2>/dev/null || true
echo "run.sh: raw outputs in $WORK" >&2

# --- build once (Release, own artifacts path so it does not collide with other builds of the tree) ----------------
MLAE_DLL="$ART/bin/MLNetAutoencoders.Cli/release/mlae.dll"
GEMM_DLL="$ART/bin/GemmPeak/release/GemmPeak.dll"
if [[ $SKIP_BUILD -eq 0 ]]; then
  echo "run.sh: building Release into $ART" >&2
  dotnet build -c Release "$ROOT/src/MLNetAutoencoders.Cli" --artifacts-path "$ART" -nologo -v q > "$WORK/build.log" 2>&1 \
    || { tail -20 "$WORK/build.log" >&2; die "building the CLI failed (log: $WORK/build.log)"; }
  if [[ -n "${SEL[gemm]:-}" ]]; then
    dotnet build -c Release "$BENCH/GemmPeak" --artifacts-path "$ART" -nologo -v q >> "$WORK/build.log" 2>&1 \
      || { tail -20 "$WORK/build.log" >&2; die "building benchmarks/GemmPeak failed (log: $WORK/build.log)"; }
  fi
fi
[[ -f "$MLAE_DLL" ]] || die "$MLAE_DLL not found (build failed or --skip-build without an earlier build)"

# run_case NAME CMD...: runs CMD under /usr/bin/time -v; keeps stdout, stderr, the time report, exit code and command.
run_case() {
  local name="$1"; shift
  echo "run.sh: [$name] $*" >&2
  printf '%q ' "$@" > "$WORK/$name.cmd"
  /usr/bin/time -v -o "$WORK/$name.time" "$@" > "$WORK/$name.out" 2> "$WORK/$name.err"
  local rc=$?
  echo "$rc" > "$WORK/$name.rc"
  [[ $rc -eq 0 ]] || echo "run.sh: [$name] exited with $rc: $(grep -v '^\s*$' "$WORK/$name.err" | tail -1)" >&2
}
if [[ -n "${SEL[gemm]:-}" ]]; then
  if [[ -f "$GEMM_DLL" ]]; then
    run_case gemm dotnet "$GEMM_DLL" --threads "$(echo $THREADS | tr ' ' ',')" --reps 5
  else
    echo "run.sh: $GEMM_DLL not found; GEMM peak not measured" >&2
  fi
fi
if [[ -n "${SEL[ae]:-}" ]]; then
  for t in $RUN_THREADS; do
    run_case "ae-ours-t$t" dotnet "$MLAE_DLL" train --dataset fashion-mnist --kind ae --hidden 256,128 --code 20 \
      --epochs "$AE_EPOCHS" --batch 512 --lr 0.001 --seed "$SEED" --threads "$t" --json
    run_case "ae-torch-t$t" "$PY" "$BENCH/pytorch_ae.py" --threads "$t" --epochs "$AE_EPOCHS" --seed "$SEED"
  done
fi
if [[ -n "${SEL[vae]:-}" ]]; then
  for t in $RUN_THREADS; do
    run_case "vae-ours-t$t" dotnet "$MLAE_DLL" train --dataset fashion-mnist --kind vae --hidden 128 --code 20 \
      --epochs "$VAE_EPOCHS" --batch 128 --lr 0.001 --seed "$SEED" --threads "$t" --json
    run_case "vae-torch-t$t" "$PY" "$BENCH/pytorch_vae.py" --threads "$t" --epochs "$VAE_EPOCHS" --seed "$SEED"
  done
fi
if [[ -n "${SEL[pca]:-}" ]]; then
  for solver in randomized exact; do
    for r in $(seq 1 "$PCA_REPEATS"); do
      run_case "pca-ours-$solver-r$r" dotnet "$MLAE_DLL" pca --dataset fashion-mnist --components 20 --solver "$solver" \
        --seed "$SEED" --threads "$MAXT" --json
      # an absent command/solver fails the same way every time: do not repeat it
      [[ "$(cat "$WORK/pca-ours-$solver-r$r.rc")" == 0 ]] || break
    done
  done
  run_case pca-sklearn "$PY" "$BENCH/sklearn_pca.py" --threads "$MAXT" --components 20 --repeats "$PCA_REPEATS" --seed "$SEED"
fi

mkdir -p "$BENCH/results"
"$PY" "$BENCH/report.py" --work "$WORK" --mode "$MODE" --ae-epochs "$AE_EPOCHS" --vae-epochs "$VAE_EPOCHS" \
  --threads "$RUN_THREADS" --sections "$(IFS=,; echo "${!SEL[*]}")" \
  --json-out "$BENCH/results/$NAME.json" --md-out "$BENCH/results/$NAME.md"
