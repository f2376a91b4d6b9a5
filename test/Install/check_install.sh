#!/bin/sh
# An install is relocatable: install the build into a prefix, move the prefix,
# and build and run a trainer with the moved marthe-compile from elsewhere.
# Usage: check_install.sh CMAKE BUILD_DIR MODEL.onnx WORK_DIR
set -eu
cmake=$1 build=$2 model=$3 work=$4
rm -rf "$work"
mkdir -p "$work/elsewhere"
"$cmake" --install "$build" --prefix "$work/prefix" > "$work/install.log"
mv "$work/prefix" "$work/moved"
test -x "$work/moved/bin/marthe-compile"
test -f "$work/moved/lib/marthe/libmarthe_runtime.a"
test -f "$work/moved/lib/marthe/libmarthe_main.a"
# Only the tools and the runtime are installed, not the compiler's libraries.
test ! -e "$work/moved/lib/libMarthePasses.a"
cd "$work/elsewhere"
"$work/moved/bin/marthe-compile" "$model" -o trainer
./trainer --help | grep -q "^usage: ./trainer"
echo "installed, moved, and built a trainer from $work/moved"
