#!/usr/bin/env bash
# The step-time benchmark of the paper's model, in one run: compiled SGD and
# MARTHE steps, the MARTHE step's GEMMs alone, the trainer's time per step,
# and PyTorch's fastest configuration (1 and 2 threads), with their ratios.
source "$(dirname "$0")/../scripts/common.sh"
install_missing
configure_and_build
ninja -C "$BUILD" step-benchmark
OUTPUT=$(mktemp)
trap 'rm -f "$OUTPUT"' EXIT
"$BUILD/bench/step-benchmark" | grep -v "^validation accuracy" | tee "$OUTPUT"
echo
/usr/bin/python3 "$ROOT/bench/torch_step.py" | tee -a "$OUTPUT"
awk '/^SGD step/ {sgd = $3} /^MARTHE step/ {marthe = $3}
     /^PyTorch fastest/ {tsgd = $5; tmarthe = $9}
     END {printf "\nPyTorch fastest / compiled: SGD step %.2fx, MARTHE step %.2fx\n", tsgd / sgd, tmarthe / marthe}' "$OUTPUT"

# The CNN benchmark (issue 7): VGG-11-BN at batch 128, CPU, against PyTorch's
# double backward on the same threads.
ninja -C "$BUILD" cnn-step-benchmark
"$BUILD/bench/cnn-step-benchmark" | tee "$OUTPUT"
/usr/bin/python3 "$ROOT/bench/torch_step.py" --vgg | tee -a "$OUTPUT"
awk '/^MARTHE step/ {marthe = $3} /VGG-11-BN batch 128, 2 threads/ {for (i = 1; i < NF; ++i) if ($i == "MARTHE") torch = $(i + 2)}
     END {printf "\nPyTorch / compiled, VGG-11-BN MARTHE step: %.2fx\n", torch / marthe}' "$OUTPUT"
