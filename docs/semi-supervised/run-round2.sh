#!/usr/bin/env bash
# Second round of docs/semi-supervised.md: recipe B (no validation split, a fixed budget of about 1 200 steps), ε = 1.
#   bash run-round2.sh selection   scores on training images 40 000–49 999
#   bash run-round2.sh heldout     scores on the test images (once)
set -euo pipefail
MLAE=${MLAE:-mlae}
OUT=${OUT:-docs/semi-supervised}
what=${1:?selection or heldout}
eval=(); [ "$what" = selection ] && eval=(--eval-rows 40000-49999)
for pair in 100:300 600:60; do
  n=${pair%%:*}; epochs=${pair##*:}
  $MLAE pretrain --batch 32 --steps 0 --dataset fashion-mnist --labels $n --kinds denoising --pretrain-epochs 1 --seeds 3 --seed 0 \
    --unlabelled-rows 0-19999 --label-rows 0-39999 "${eval[@]}" --threads 1 \
    --modes vat-scratch --vat-epsilon 1 --unlabelled-batch 128 --validation-fraction 0 --patience 0 --epochs $epochs \
    --json-out "$OUT/$what-B-n$n.json"
done
