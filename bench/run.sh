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
