#!/usr/bin/env bash
# The automatic-LR benchmark: marthe's default against Prodigy, D-Adaptation
# Adam, Schedule-Free SGD and AdamW and L-DoG at their packages' defaults (as
# marthe's optimizer kinds), Adam and the paper's MARTHE, on the paper's MLP, a
# small BatchNorm CNN and a 1-D CNN, 5 seeds each, on the CPU; writes
# runs/autolr-benchmark/report.md with its SVG plots. --quick: a smaller MLP,
# 24 steps, 2 seeds. Options go to scripts/autolr_benchmark.py (--seeds N,
# --jobs N, --out DIR, --tasks, --methods).
source "$(dirname "$0")/common.sh"
install_missing
configure_and_build
exec /usr/bin/python3 "$ROOT/scripts/autolr_benchmark.py" --build "$BUILD" "$@"
