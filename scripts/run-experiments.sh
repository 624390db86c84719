#!/usr/bin/env bash
# The main job: install what is needed, then run the face/non-face and Fashion-MNIST comparisons, print the tables,
# write the results (JSON), pictures and models under out/ (override with OUT=...), and end with a list of every file
# written. Add --pretrain for the pretraining experiment (slow). If the set-up or any part fails, the job stops and
# prints the step that failed, the command and what to do (scripts/lib/steps.sh).
source "$(dirname "${BASH_SOURCE[0]}")/lib/steps.sh"
# Each part of the job is a step: its title is printed, and named again if it fails.
section() {
  echo "== $1"
  step "$1" "the lines above say why; fix that and run the main job again (the set-up only checks once all is installed)."
}
cd "$(dirname "${BASH_SOURCE[0]}")/.."
OUT="${OUT:-out}"
PRETRAIN=0
for a in "$@"; do case "$a" in --pretrain) PRETRAIN=1 ;; *) echo "unknown argument $a" >&2; exit 2 ;; esac; done
START=$(date +%s)

echo "== set-up: installs what is missing (quick when all is there); a failing step prints its name, the command and what to do"
step "set-up (scripts/setup.sh)" "read the set-up's message above: it names the step and what to do; then run the main job again."
bash scripts/setup.sh
mkdir -p "$OUT"
BIN="$OUT/bin"
section "building mlae (Release)"
dotnet build src/MLNetAutoencoders.Cli -c Release -o "$BIN" -nologo -v q
mlae() { dotnet "$BIN/mlae.dll" "$@"; }

# Every file the job writes, with what it is; printed at the end (only those that exist).
WROTE=()
wrote() { WROTE+=("$1"$'\t'"$2"); }

section "face / non-face through ML.NET: PCA (the project's and ML.NET's) vs autoencoders, logistic regression, 5-fold stratified CV"
mlae compare --dataset faces --codes 1,2,3,5,10,20 --methods pca,mlnet-pca,ae,denoising,vae,raw --folds 5 --seed 0 \
  --out-dir "$OUT/faces" --json-out "$OUT/faces.json" | tee "$OUT/faces.txt"
wrote "$OUT/faces.txt" "faces: accuracy table (mean ± sd over 5 folds) as printed"
wrote "$OUT/faces.json" "faces: every accuracy per fold, fit times and settings (JSON)"
wrote "$OUT/faces/accuracy.png" "faces: accuracy against code size, ± 1 sd error bars, raw pixels as a reference line"
wrote "$OUT/faces/eigen.png" "faces: the first 20 eigenfaces, numbered"
wrote "$OUT/faces/mean.png" "faces: the mean image"
wrote "$OUT/faces/reconstructions.png" "faces: 10 images and their PCA-20 / AE-20 / denoising-20 / VAE-20 reconstructions"

section "Fashion-MNIST through ML.NET: maximum-entropy classifier on raw pixels, PCA-20 and autoencoder codes (test set held out)"
mlae compare --dataset fashion-mnist --codes 20 --methods raw,pca,mlnet-pca,ae,denoising,vae --folds 1 --seed 0 \
  --out-dir "$OUT/fashion" --json-out "$OUT/fashion.json" | tee "$OUT/fashion.txt"
wrote "$OUT/fashion.txt" "Fashion-MNIST: test accuracy table at k = 20 as printed"
wrote "$OUT/fashion.json" "Fashion-MNIST: accuracies, fit times and settings (JSON)"
wrote "$OUT/fashion/accuracy.png" "Fashion-MNIST: test accuracy at k = 20 as grouped bars, raw pixels as a reference line"
wrote "$OUT/fashion/eigen.png" "Fashion-MNIST: the first 20 eigen-images, numbered"
wrote "$OUT/fashion/mean.png" "Fashion-MNIST: the mean image"
wrote "$OUT/fashion/reconstructions.png" "Fashion-MNIST: 10 images and their PCA-20 / AE-20 / denoising-20 / VAE-20 reconstructions"

section "Fashion-MNIST: the project's PCA and ML.NET's side by side (fit time, explained variance, test MSE)"
mlae pca --dataset fashion-mnist --components 20 --json-out "$OUT/pca.json" | tee "$OUT/pca.txt"
wrote "$OUT/pca.txt" "the two PCAs side by side: table as printed"
wrote "$OUT/pca.json" "the two PCAs: fit times, explained variance, test MSE, agreement with each other (JSON)"

section "examples/MLNetPipeline: EncodeWithAutoencoder -> LbfgsMaximumEntropy, evaluate, save the zip, load, predict"
REPO="$(pwd)"; (cd "$OUT" && dotnet run -c Release --project "$REPO/examples/MLNetPipeline") | tee "$OUT/mlnet-pipeline.txt"
wrote "$OUT/mlnet-pipeline.txt" "examples/MLNetPipeline's output (accuracy of the ML.NET pipeline)"
wrote "$OUT/fashion-ae.zip" "that pipeline as an ML.NET model zip (loads with mlContext.Model.Load)"

section "Fashion-MNIST: reference autoencoder (784-256-128-20), 20 epochs"
mlae train --dataset fashion-mnist --kind ae --hidden 256,128 --code 20 --epochs 20 --batch 512 --lr 0.001 --seed 0 \
  --out "$OUT/ae.mlae" --json-out "$OUT/ae.json"
mlae reconstruct --model "$OUT/ae.mlae" --dataset fashion-mnist --count 20 --out "$OUT/ae-reconstructions.png"
mlae export-onnx --model "$OUT/ae.mlae" --out "$OUT/ae-encoder.onnx"
wrote "$OUT/ae.mlae" "the reference autoencoder (the library's model file)"
wrote "$OUT/ae.json" "its test MSE, training history and settings (JSON)"
wrote "$OUT/ae-reconstructions.png" "20 test images above their reconstructions by it"
wrote "$OUT/ae-encoder.onnx" "its encoder as an ONNX model (784 pixels in, 20 numbers out)"

section "Fashion-MNIST: VAE (784-128-20), 10 epochs"
mlae train --dataset fashion-mnist --kind vae --hidden 128 --code 20 --epochs 10 --batch 128 --lr 0.001 --seed 0 \
  --out "$OUT/vae.mlae" --json-out "$OUT/vae.json"
mlae sample --model "$OUT/vae.mlae" --count 64 --out "$OUT/vae-samples.png"
wrote "$OUT/vae.mlae" "the reference VAE (the library's model file)"
wrote "$OUT/vae.json" "its test -ELBO, MSE, training history and settings (JSON)"
wrote "$OUT/vae-samples.png" "64 images the VAE decoded from random draws of its prior"

if [ "$PRETRAIN" = 1 ]; then
  section "pretraining, then fine-tuning with few labels"
  mlae pretrain --dataset fashion-mnist --labels 100,600,6000 --kinds ae,denoising,vae,stacked --modes probe,finetune --seeds 3 --steps 0 \
    --chart "$OUT/pretrain-learning-curves.png" --json-out "$OUT/pretrain.json" | tee "$OUT/pretrain.txt"
  wrote "$OUT/pretrain.txt" "pretraining: accuracy table as printed"
  wrote "$OUT/pretrain.json" "pretraining: every run (JSON)"
  wrote "$OUT/pretrain-learning-curves.png" "pretraining: accuracy against labelled examples, ± 1 sd over seeds"
  section "every mode (joint included), scored on held-out training images 50000-59999"
  mlae pretrain --dataset fashion-mnist --labels 100,600 --kinds denoising --seeds 3 --steps 0 --modes probe,finetune,discriminative,joint --joint-weight 0.03 \
    --unlabelled-rows 0-19999 --label-rows 0-39999 --eval-rows 50000-59999 --json-out "$OUT/pretrain-modes.json" | tee "$OUT/pretrain-modes.txt"
  wrote "$OUT/pretrain-modes.txt" "pretraining: every mode side by side on held-out images 50000-59999 (table)"
  wrote "$OUT/pretrain-modes.json" "pretraining: every mode, every run (JSON)"
fi

echo
echo "== done in $(( ($(date +%s) - START) / 60 )) min $(( ($(date +%s) - START) % 60 )) s; the tables are above. Files written:"
for entry in "${WROTE[@]}"; do
  f="${entry%%$'\t'*}"
  [ -e "$f" ] && printf '  %-40s %s\n' "$f" "${entry#*$'\t'}"
done
printf '  %-40s %s\n' "$BIN/" "the mlae build used (run it as: dotnet $BIN/mlae.dll …)"
