#!/usr/bin/env bash
# Tenth round (docs/semi-supervised.md): the convolutional encoder (conv, fixmatch-conv) beside scratch and logreg.
# `run-round10.sh selection` scores them at N = 100 on training images 40 000–49 999;
# `run-round10.sh heldout MODE` scores the chosen one once on the test images at N = 100 and 600.
set -euo pipefail
MLAE=${MLAE:-mlae}
OUT=${OUT:-docs/semi-supervised}
common=(pretrain --batch 32 --steps 1200 --dataset fashion-mnist --kinds denoising --seeds 3 --seed 0
  --unlabelled-rows 0-19999 --label-rows 0-39999 --threads 1 --unlabelled-batch 128
  --fixmatch-threshold 0.95 --fixmatch-weight 1 --weak-shift 2 --strong-shift 2 --cutout 8 --augment-noise 0.1
  --dropout 0.5 --conv-channels 32,64 --conv-code 128)
case "${1:-}" in
  selection)
    uptime
    nice -n 10 $MLAE "${common[@]}" --modes conv,fixmatch-conv --labels 100 --eval-rows 40000-49999 --json-out "$OUT/selection-round10.json" ;;
  heldout)
    m=${2:?usage: run-round10.sh heldout conv|fixmatch-conv}
    uptime
    nice -n 10 $MLAE "${common[@]}" --modes "$m" --labels 100 --json-out "$OUT/heldout-round10-$m-n100.json"
    uptime
    nice -n 10 $MLAE "${common[@]}" --modes "$m" --labels 600 --json-out "$OUT/heldout-round10-$m-n600.json" ;;
  *) echo "usage: run-round10.sh selection | heldout conv|fixmatch-conv" >&2; exit 2 ;;
esac
uptime
