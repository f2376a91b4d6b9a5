#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test (lit and GoogleTest)
# through ctest, then the sanitizer and fuzzing stage (scripts/sanitize.sh;
# MARTHE_SKIP_SANITIZE=1 skips it).
source "$(dirname "$0")/common.sh"
install_missing
install_oracles
configure_and_build
(cd "$BUILD" && ctest --output-on-failure -j2 "$@")
if [ "${MARTHE_SKIP_SANITIZE:-0}" != 1 ]; then
  "$ROOT/scripts/sanitize.sh"
fi
