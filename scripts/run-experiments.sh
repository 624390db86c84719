#!/usr/bin/env bash
# The main job: install what is needed, then run the face/non-face and Fashion-MNIST comparisons, print the tables
# and write the pictures under out/ (override with OUT=...). Add --pretrain for the pretraining experiment (slow).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
OUT="${OUT:-out}"
PRETRAIN=0
for a in "$@"; do case "$a" in --pretrain) PRETRAIN=1 ;; *) echo "unknown argument $a" >&2; exit 2 ;; esac; done

bash scripts/setup.sh
mkdir -p "$OUT"
BIN="$OUT/bin"
echo "== building mlae (Release)"
dotnet build src/MLNetAutoencoders.Cli -c Release -o "$BIN" -nologo -v q
mlae() { dotnet "$BIN/mlae.dll" "$@"; }

echo "== face / non-face through ML.NET: PCA (the project's and ML.NET's) vs autoencoders, logistic regression, 5-fold stratified CV"
mlae compare --dataset faces --codes 1,2,3,5,10,20 --methods pca,mlnet-pca,ae,denoising,vae,raw --folds 5 --seed 0 --out-dir "$OUT/faces" --json \
  | tee "$OUT/faces.txt"

echo "== Fashion-MNIST through ML.NET: maximum-entropy classifier on raw pixels, PCA-20 and autoencoder codes (test set held out)"
mlae compare --dataset fashion-mnist --codes 20 --methods raw,pca,mlnet-pca,ae,denoising,vae --folds 1 --seed 0 --out-dir "$OUT/fashion" --json \
  | tee "$OUT/fashion.txt"

echo "== Fashion-MNIST: the project's PCA and ML.NET's side by side (fit time, explained variance, test MSE)"
mlae pca --dataset fashion-mnist --components 20 --json | tee "$OUT/pca.txt"

echo "== examples/MLNetPipeline: EncodeWithAutoencoder -> LbfgsMaximumEntropy, evaluate, save the zip, load, predict"
REPO="$(pwd)"; (cd "$OUT" && dotnet run -c Release --project "$REPO/examples/MLNetPipeline") | tee "$OUT/mlnet-pipeline.txt"

echo "== Fashion-MNIST: reference autoencoder (784-256-128-20), 20 epochs"
mlae train --dataset fashion-mnist --kind ae --hidden 256,128 --code 20 --epochs 20 --batch 512 --lr 0.001 --seed 0 \
  --out "$OUT/ae.mlae" --json | tee "$OUT/ae.json"
mlae reconstruct --model "$OUT/ae.mlae" --dataset fashion-mnist --count 32 --out "$OUT/ae-reconstructions.png"

echo "== Fashion-MNIST: VAE (784-128-20), 10 epochs"
mlae train --dataset fashion-mnist --kind vae --hidden 128 --code 20 --epochs 10 --batch 128 --lr 0.001 --seed 0 \
  --out "$OUT/vae.mlae" --json | tee "$OUT/vae.json"
mlae sample --model "$OUT/vae.mlae" --count 64 --out "$OUT/vae-samples.png"
mlae export-onnx --model "$OUT/ae.mlae" --out "$OUT/ae-encoder.onnx"

if [ "$PRETRAIN" = 1 ]; then
  echo "== pretraining, then fine-tuning with few labels"
  mlae pretrain --dataset fashion-mnist --labels 100,600,6000 --kinds ae,denoising,vae,stacked --seeds 3 --chart "$OUT/pretrain-curves.svg" --json \
    | tee "$OUT/pretrain.txt"
  echo "== every mode (joint included), scored on held-out training images 50000-59999"
  mlae pretrain --dataset fashion-mnist --labels 100,600 --kinds denoising --seeds 3 --modes probe,finetune,discriminative,joint --joint-weight 0.03 \
    --unlabelled-rows 0-19999 --label-rows 0-39999 --eval-rows 50000-59999 --json | tee "$OUT/pretrain-modes.txt"
fi
echo "== done: tables above, pictures and models in $OUT/"
