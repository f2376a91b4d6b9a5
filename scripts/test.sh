#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test (lit and GoogleTest)
# through ctest.
source "$(dirname "$0")/common.sh"
install_missing
configure_and_build
cd "$BUILD"
ctest --output-on-failure -j2 "$@"
