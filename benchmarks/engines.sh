#!/usr/bin/env bash
# Three engines (four programs) in one run, interleaved so that the shared machine's load hits them alike:
#   managed           mlae train --backend managed      (this library's C# engine)
#   torchsharp        mlae train --backend torchsharp   (the TorchSharp backend: same networks and objective, LibTorch)
#   plain-torchsharp  benchmarks/PlainTorchSharp        (the same model written directly with TorchSharp)
#   pytorch           benchmarks/pytorch_ae.py / pytorch_vae.py (PyTorch 1.13 from Debian, /usr/bin/python3)
# on the reference AE (784-256-128-20, batch 512, Adam 1e-3, BCE on logits) and the reference VAE (784-128-20, batch 128);
# with --models conv, the convolutional autoencoder (1x28x28, channels 32,64, code 20, batch 512), which plain TorchSharp
# code does not cover (the backend's conv modules are TorchSharp code already): managed, backend, PyTorch.
# --engines picks the programs (default all four); e.g. --models conv --engines managed,pytorch compares the conv
# autoencoder with PyTorch without the TorchSharp backend, whose conv epochs are the slowest of the three.
#
#   benchmarks/engines.sh [--epochs 3] [--threads "1 2"] [--models ae,vae] [--engines managed,torchsharp,plain-torchsharp,pytorch]
#                         [--rounds 1] [--seed 0] [--name engines]
#
# Each case is its own process under /usr/bin/time -v (peak resident memory); the load average is recorded before each.
# OMP_WAIT_POLICY=PASSIVE is set for every case (LibTorch and PyTorch use OpenMP; on an overloaded machine its
# spinning threads made two-thread epochs several times slower than one-thread epochs; the managed engine is unaffected).
# Results: benchmarks/results/<name>.json and <name>.md (benchmarks/engines_report.py).
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH="$ROOT/benchmarks"
PY=/usr/bin/python3
ART="${BENCH_ARTIFACTS:-/tmp/art-engines}"
EPOCHS=3; THREADS="1 2"; MODELS="ae,vae"; ENGINES="managed,torchsharp,plain-torchsharp,pytorch"; ROUNDS=1; SEED=0; NAME=engines
die() { echo "engines.sh: $*" >&2; exit 2; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    --epochs) EPOCHS="${2:?}"; shift 2 ;;
    --threads) THREADS="${2//,/ }"; shift 2 ;;
    --models) MODELS="${2:?}"; shift 2 ;;
    --engines) ENGINES="${2:?}"; shift 2 ;;
    --rounds) ROUNDS="${2:?}"; shift 2 ;;
    --seed) SEED="${2:?}"; shift 2 ;;
    --name) NAME="${2:?}"; shift 2 ;;
    -h|--help) sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
done
[[ "$EPOCHS" =~ ^[1-9][0-9]*$ ]] || die "--epochs must be a positive whole number"
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || die "--rounds must be a positive whole number"
IFS=',' read -r -a engines <<< "$ENGINES"
for e in "${engines[@]}"; do
  [[ "$e" =~ ^(managed|torchsharp|plain-torchsharp|pytorch)$ ]] || die "--engines: unknown '$e'; expected managed, torchsharp, plain-torchsharp or pytorch"
done
want() { [[ ",$ENGINES," == *",$1,"* ]]; }
[[ -x /usr/bin/time ]] || die "/usr/bin/time is missing (apt-get install time)"
[[ -x "$PY" ]] || die "$PY not found (Debian's python3 with python3-torch is the reference)"
export OMP_WAIT_POLICY=PASSIVE PYTHONDONTWRITEBYTECODE=1

WORK="$(mktemp -d /tmp/mlae-engines.XXXXXX)"
echo "engines.sh: raw outputs in $WORK" >&2
projects=(src/MLNetAutoencoders.Cli)
want plain-torchsharp && projects+=(benchmarks/PlainTorchSharp)
for p in "${projects[@]}"; do
  dotnet build -c Release "$ROOT/$p" --artifacts-path "$ART" -nologo -v q >> "$WORK/build.log" 2>&1 \
    || { tail -20 "$WORK/build.log" >&2; die "building $p failed (log: $WORK/build.log)"; }
done
MLAE="$ART/bin/MLNetAutoencoders.Cli/release/mlae.dll"
PLAIN="$ART/bin/PlainTorchSharp/release/PlainTorchSharp.dll"

run_case() {
  local name="$1"; shift
  echo "engines.sh: [$name] $*" >&2
  cut -d' ' -f1-3 /proc/loadavg > "$WORK/$name.load"
  /usr/bin/time -v -o "$WORK/$name.time" "$@" > "$WORK/$name.out" 2> "$WORK/$name.err"
  echo $? > "$WORK/$name.rc"
}
IFS=',' read -r -a models <<< "$MODELS"
for r in $(seq 1 "$ROUNDS"); do
  for m in "${models[@]}"; do
    case "$m" in
      ae) mlae_args=(--kind ae --hidden 256,128 --code 20 --batch 512) ;;
      vae) mlae_args=(--kind vae --hidden 128 --code 20 --batch 128) ;;
      conv) mlae_args=(--kind conv --channels 32,64 --code 20 --batch 512) ;;
      *) die "--models: unknown '$m'; expected ae, vae or conv" ;;
    esac
    for t in $THREADS; do
      for engine in managed torchsharp; do
        want "$engine" || continue
        run_case "$m-$engine-t$t-r$r" dotnet "$MLAE" train --dataset fashion-mnist "${mlae_args[@]}" --epochs "$EPOCHS" \
          --lr 0.001 --seed "$SEED" --threads "$t" --backend "$engine" --json
      done
      [[ "$m" != conv ]] && want plain-torchsharp && run_case "$m-plain-torchsharp-t$t-r$r" dotnet "$PLAIN" --model "$m" --threads "$t" --epochs "$EPOCHS" --seed "$SEED"
      want pytorch && run_case "$m-pytorch-t$t-r$r" "$PY" "$BENCH/pytorch_$m.py" --threads "$t" --epochs "$EPOCHS" --seed "$SEED"
    done
  done
done
mkdir -p "$BENCH/results"
"$PY" "$BENCH/engines_report.py" --work "$WORK" --epochs "$EPOCHS" --json-out "$BENCH/results/$NAME.json" --md-out "$BENCH/results/$NAME.md"
