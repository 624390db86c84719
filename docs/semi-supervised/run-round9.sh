#!/usr/bin/env bash
# Ninth round (docs/semi-supervised.md): consistency from the pretrained denoising encoder (D = fixmatch) beside its
# fine-tune control (F = finetune), the fixed budget of the eighth round.
# `run-round9.sh selection` scores both at N = 100 on training images 40 000–49 999;
# `run-round9.sh heldout D|F` scores the chosen one once on the test images at N = 100 and 600.
set -euo pipefail
MLAE=${MLAE:-mlae}
OUT=${OUT:-docs/semi-supervised}
CACHE=${CACHE:-/tmp/mlae-dae-cache}
common=(pretrain --batch 32 --steps 0 --dataset fashion-mnist --kinds denoising --pretrain-epochs 15 --seeds 3 --seed 0
  --unlabelled-rows 0-19999 --label-rows 0-39999 --threads 1 --unlabelled-batch 128 --cache "$CACHE"
  --fixmatch-threshold 0.95 --fixmatch-weight 1 --weak-shift 0 --strong-shift 2 --cutout 8 --augment-noise 0.1
  --validation-fraction 0 --patience 0 --dropout 0.5)
mode() {
  case "$1" in
    D) echo fixmatch ;;
    F) echo finetune ;;
    *) echo "unknown candidate $1" >&2; exit 2 ;;
  esac
}
case "${1:-}" in
  selection)
    uptime
    nice -n 10 $MLAE "${common[@]}" --modes finetune,fixmatch --labels 100 --epochs 300 --eval-rows 40000-49999 --json-out "$OUT/selection-round9.json" ;;
  heldout)
    c=${2:?usage: run-round9.sh heldout D|F}
    uptime
    nice -n 10 $MLAE "${common[@]}" --modes "$(mode "$c")" --labels 100 --epochs 300 --json-out "$OUT/heldout-round9-$c-n100.json"
    uptime
    nice -n 10 $MLAE "${common[@]}" --modes "$(mode "$c")" --labels 600 --epochs 60 --json-out "$OUT/heldout-round9-$c-n600.json" ;;
  *) echo "usage: run-round9.sh selection | heldout D|F" >&2; exit 2 ;;
esac
uptime
