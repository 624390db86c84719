#!/usr/bin/env bash
# Third round: recipe A with ε = 0.3, scored on the selection rows (training images 40 000–49 999).
set -euo pipefail
MLAE=${MLAE:-mlae}
OUT=${OUT:-docs/semi-supervised}
$MLAE pretrain --batch 32 --steps 0 --dataset fashion-mnist --labels 100,600 --kinds denoising --pretrain-epochs 1 --seeds 3 --seed 0 \
  --unlabelled-rows 0-19999 --label-rows 0-39999 --threads 1 \
  --modes vat-scratch --vat-epsilon 0.3 --unlabelled-batch 128 --eval-rows 40000-49999 --json-out "$OUT/selection-A-eps0.3.json"
