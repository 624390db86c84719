#!/usr/bin/env bash
# Eighth round (docs/semi-supervised.md): consistency with pseudo-labels on augmented images (fixmatch-scratch).
# `run-round8.sh selection` scores candidates C1 and C2 at N = 100 on training images 40 000–49 999;
# `run-round8.sh heldout C1|C2` scores the chosen candidate once on the test images at N = 100 and 600.
set -euo pipefail
MLAE=${MLAE:-mlae}
OUT=${OUT:-docs/semi-supervised}
common=(pretrain --batch 32 --steps 0 --dataset fashion-mnist --kinds denoising --pretrain-epochs 1 --seeds 3 --seed 0
  --unlabelled-rows 0-19999 --label-rows 0-39999 --threads 1 --unlabelled-batch 128
  --modes fixmatch-scratch --fixmatch-threshold 0.95 --fixmatch-weight 1 --validation-fraction 0 --patience 0 --dropout 0.5)
candidate() {
  case "$1" in
    C1) echo "--weak-shift 2 --strong-shift 4 --cutout 12 --augment-noise 0.1" ;;
    C2) echo "--weak-shift 0 --strong-shift 2 --cutout 8 --augment-noise 0.1" ;;
    *) echo "unknown candidate $1" >&2; exit 2 ;;
  esac
}
case "${1:-}" in
  selection)
    for c in C1 C2; do
      uptime
      nice -n 10 $MLAE "${common[@]}" $(candidate $c) --labels 100 --epochs 300 --eval-rows 40000-49999 --json-out "$OUT/selection-fixmatch-$c.json"
    done ;;
  heldout)
    c=${2:?usage: run-round8.sh heldout C1|C2}
    uptime
    nice -n 10 $MLAE "${common[@]}" $(candidate $c) --labels 100 --epochs 300 --json-out "$OUT/heldout-fixmatch-$c-n100.json"
    uptime
    nice -n 10 $MLAE "${common[@]}" $(candidate $c) --labels 600 --epochs 60 --json-out "$OUT/heldout-fixmatch-$c-n600.json" ;;
  *) echo "usage: run-round8.sh selection | heldout C1|C2" >&2; exit 2 ;;
esac
uptime
