#!/usr/bin/env bash
# The paper's Section-5 study (constant, exponential, HD, RTHO, MARTHE with
# mu = 0.99 and with adaptive mu, over a grid of beta and with beta_step
# "auto", 5 seeds each) on the CPU, in parallel up to the core count; writes
# runs/paper-section5/report.md with its SVG plots. --quick: 32 steps, 2 seeds.
# Options go to scripts/paper_section5.py (--seeds N, --jobs N, --out DIR).
source "$(dirname "$0")/common.sh"
install_missing
configure_and_build
exec /usr/bin/python3 "$ROOT/scripts/paper_section5.py" --build "$BUILD" "$@"
