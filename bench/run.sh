#!/usr/bin/env bash
# Builds and runs the step-time benchmark (SGD vs MARTHE step of the paper's model).
source "$(dirname "$0")/../scripts/common.sh"
install_missing
configure_and_build
ninja -C "$BUILD" step-benchmark
"$BUILD/bench/step-benchmark"
echo
/usr/bin/python3 "$ROOT/bench/torch_step.py"
