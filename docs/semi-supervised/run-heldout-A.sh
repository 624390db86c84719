#!/usr/bin/env bash
# Held-out run of recipe A (the first round's recipe, ε = 1) on the test images, for the second round's choice.
set -euo pipefail
MLAE=${MLAE:-mlae}
OUT=${OUT:-docs/semi-supervised}
$MLAE pretrain --batch 32 --steps 0 --dataset fashion-mnist --labels 100,600 --kinds denoising --pretrain-epochs 1 --seeds 3 --seed 0 \
  --unlabelled-rows 0-19999 --label-rows 0-39999 --threads 1 \
  --modes vat-scratch --vat-epsilon 1 --unlabelled-batch 128 --json-out "$OUT/heldout-A.json"
