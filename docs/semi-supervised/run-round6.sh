#!/usr/bin/env bash
# Sixth round (M1+M2 with M2's decoder variance floored), β = 1: `selection` at N = 100 on training images
# 40 000–49 999, then `heldout` once on the test images at N = 100 and 600.
set -euo pipefail
MLAE=${MLAE:-mlae}
OUT=${OUT:-docs/semi-supervised}
CACHE=${CACHE:-/tmp/mlae-m1-cache}
common=(pretrain --batch 32 --steps 0 --dataset fashion-mnist --kinds vae --pretrain-epochs 15 --seeds 3 --seed 0 --m2-weight 1
  --unlabelled-rows 0-19999 --label-rows 0-39999 --threads 1 --unlabelled-batch 128 --head 256 --cache "$CACHE")
case "${1:-}" in
  selection) $MLAE "${common[@]}" --labels 100 --modes m1m2 --eval-rows 40000-49999 --json-out "$OUT/selection-m1m2-floor.json" ;;
  heldout) $MLAE "${common[@]}" --labels 100,600 --modes probe,m1m2 --json-out "$OUT/heldout-m1m2-floor.json" ;;
  *) echo "usage: run-round6.sh selection | heldout" >&2; exit 2 ;;
esac
