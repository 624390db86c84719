#!/usr/bin/env bash
# Seventh round (docs/semi-supervised.md): the encoder classifier's defaults against ML.NET's logistic regression on
# the user's ML.NET path. `run-round7.sh selection` scores the candidates on training images 40 000–49 999;
# `run-round7.sh heldout` scores the trainer's defaults (after the choice) once on the test images.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=docs/semi-supervised
dotnet build examples/FewLabels -c Release -v q
run() { nice -n 10 dotnet examples/FewLabels/bin/Release/net10.0/FewLabels.dll labels=100,600 seeds=3 unlabelled=20000 "$@"; }
case "${1:-}" in
  selection) run eval=selection candidate=previous,dropout,all-labels,all-labels-mask json=$out/selection-defaults.json 2>&1 | tee $out/round7-selection.log ;;
  heldout) run eval=test candidate=defaults json=$out/heldout-defaults.json 2>&1 | tee $out/round7-heldout.log ;;
  *) echo "usage: run-round7.sh selection|heldout" >&2; exit 2 ;;
esac
uptime | tee -a $out/round7-${1}.log
