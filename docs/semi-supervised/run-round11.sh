#!/usr/bin/env bash
# Eleventh round (docs/semi-supervised.md): consistency training of the convolutional encoder with a moving-average
# teacher (meanteacher-conv) and a larger budget (labelled batch 64, 1500 steps), beside scratch (same budget) and logreg.
# `run-round11.sh selection` scores it at N = 100 and 600 on training images 40 000–49 999;
# `run-round11.sh reference` scores the tenth round's fixmatch-conv (batch 32, 1200 steps) at N = 600 on the same rows;
# `run-round11.sh heldout` scores meanteacher-conv once on the test images at N = 100 and 600;
# `run-round11.sh augment` explores the same with rotated and contrast-changed strong views on the selection rows.
set -euo pipefail
MLAE=${MLAE:-mlae}
OUT=${OUT:-docs/semi-supervised}
common=(pretrain --dataset fashion-mnist --kinds denoising --seeds 3 --seed 0
  --unlabelled-rows 0-19999 --label-rows 0-39999 --threads 1 --unlabelled-batch 128
  --fixmatch-threshold 0.95 --fixmatch-weight 1 --weak-shift 2 --strong-shift 2 --cutout 8 --augment-noise 0.1
  --dropout 0.5 --conv-channels 32,64 --conv-code 128)
candidate=(--modes meanteacher-conv --teacher-decay 0.99 --batch 64 --steps 1500)
case "${1:-}" in
  selection)
    uptime
    nice -n 10 $MLAE "${common[@]}" "${candidate[@]}" --labels 100,600 --eval-rows 40000-49999 --json-out "$OUT/selection-round11.json" ;;
  reference)
    uptime
    nice -n 10 $MLAE "${common[@]}" --modes fixmatch-conv --batch 32 --steps 1200 --no-logreg --labels 600 --eval-rows 40000-49999 --json-out "$OUT/selection-round11-fixmatch-conv-n600.json" ;;
  heldout)
    uptime
    nice -n 10 $MLAE "${common[@]}" "${candidate[@]}" --labels 100 --json-out "$OUT/heldout-round11-n100.json"
    uptime
    nice -n 10 $MLAE "${common[@]}" "${candidate[@]}" --labels 600 --json-out "$OUT/heldout-round11-n600.json" ;;
  augment)
    uptime
    nice -n 10 $MLAE "${common[@]}" "${candidate[@]}" --strong-rotation 15 --strong-contrast 0.2 --no-logreg --labels ${LABELS:-100,600} --eval-rows 40000-49999 --json-out "$OUT/selection-round11-augment.json" ;;
  *) echo "usage: run-round11.sh selection | reference | heldout | augment" >&2; exit 2 ;;
esac
uptime
