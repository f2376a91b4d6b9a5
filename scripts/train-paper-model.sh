#!/usr/bin/env bash
# The main job: the paper's Section-5 model (MLP 784-500-500-500-10, ReLU)
# trained with MARTHE on Fashion-MNIST on the CPU: 7000 training and 700
# validation images, batch 100, 512 steps of SGD from eta0 = 0.01, adaptive mu
# and beta. Extra arguments go to the trainer (e.g. --seed 3, --schedule constant);
# MARTHE_DEVICE=cuda trains on an NVIDIA GPU instead.
source "$(dirname "$0")/common.sh"
install_missing
configure_and_build
OUT=${OUT:-$ROOT/runs/paper}
mkdir -p "$OUT"
/usr/bin/python3 "$ROOT/models/mlp.py" -o "$OUT/mlp.onnx"
"$BUILD/bin/marthe-compile" "$OUT/mlp.onnx" --config "$ROOT/models/train.toml" \
  --device="${MARTHE_DEVICE:-cpu}" -o "$OUT/mlp-train"
"$OUT/mlp-train" --out "$OUT" "$@"
