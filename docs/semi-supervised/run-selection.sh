#!/usr/bin/env bash
# The selection runs of docs/semi-supervised.md: ε = 1 and ε = 3, scored on training images 40 000–49 999.
set -euo pipefail
MLAE=${MLAE:-mlae}
OUT=${OUT:-docs/semi-supervised}
for eps in 1 3; do
  $MLAE pretrain --batch 32 --steps 0 --dataset fashion-mnist --labels 100,600 --kinds denoising --pretrain-epochs 1 --seeds 3 --seed 0 \
    --unlabelled-rows 0-19999 --label-rows 0-39999 --eval-rows 40000-49999 --threads 1 \
    --modes vat-scratch --vat-epsilon $eps --unlabelled-batch 128 --json-out "$OUT/selection-eps$eps.json"
done
