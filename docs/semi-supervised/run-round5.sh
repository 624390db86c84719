#!/usr/bin/env bash
# Fifth round (M1+M2): `selection` scores β = 1 and β = 3 at N = 100 on training images 40 000–49 999;
# `heldout BETA` scores the chosen β once on the test images at N = 100 and 600.
set -euo pipefail
MLAE=${MLAE:-mlae}
OUT=${OUT:-docs/semi-supervised}
CACHE=${CACHE:-/tmp/mlae-m1-cache}
common=(pretrain --batch 32 --steps 0 --dataset fashion-mnist --kinds vae --pretrain-epochs 15 --seeds 3 --seed 0
  --unlabelled-rows 0-19999 --label-rows 0-39999 --threads 1 --unlabelled-batch 128 --head 256 --cache "$CACHE")
case "${1:-}" in
  selection)
    for beta in 1 3; do
      $MLAE "${common[@]}" --labels 100 --modes m1m2 --eval-rows 40000-49999 --m2-weight $beta --json-out "$OUT/selection-m1m2-beta$beta.json"
    done ;;
  heldout)
    $MLAE "${common[@]}" --labels 100,600 --modes probe,m1m2 --m2-weight "$2" --json-out "$OUT/heldout-m1m2.json" ;;
  *) echo "usage: run-round5.sh selection | heldout BETA" >&2; exit 2 ;;
esac
