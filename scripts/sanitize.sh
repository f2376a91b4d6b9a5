#!/usr/bin/env bash
# The sanitizer stage of the tests: builds the compiler (importer, passes,
# targets), the config and checkpoint readers, the runtime and their unit
# tests with clang, AddressSanitizer and UndefinedBehaviorSanitizer; runs the
# unit tests and the compiler's lit tests (Frontend, Passes, Target) with
# them, and the end-to-end runs that stress the runtime's memory with
# sanitized trainers (kill -9 and resume, rollback on divergence, the
# BatchNorm CNN, .npy data); checks that this clang build of marthe-compile derives the same IR as
# the main (gcc) build; replays the fuzz corpus (test/Fuzz/corpus; the
# pipeline target reads the importer's) and fuzzes each target for
# FUZZ_SECONDS (default 60). Any finding fails the stage; its
# input is left in $BUILD_ASAN/fuzz-findings.
source "$(dirname "$0")/common.sh"
install_missing
BUILD_ASAN=${MARTHE_ASAN_BUILD_DIR:-$ROOT/build-asan}
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
if [ ! -f "$BUILD_ASAN/build.ninja" ]; then
  # -O1 and line tables: readable reports at half the build time of -O2 -g.
  CC=clang CXX=clang++ cmake -S "$ROOT" -B "$BUILD_ASAN" -G Ninja -DCMAKE_BUILD_TYPE=None \
    -DCMAKE_C_FLAGS="-O1 -gline-tables-only" -DCMAKE_CXX_FLAGS="-O1 -gline-tables-only" \
    -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir -DMARTHE_SANITIZE=ON >/dev/null
fi
ninja -C "$BUILD_ASAN" -j2 FrontendTests RuntimeTests marthe-fuzzers marthe-compile marthe-opt \
  marthe-fixtures

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
"$BUILD_ASAN/test/FrontendTests" --gtest_brief=1
"$BUILD_ASAN/test/RuntimeTests" --gtest_brief=1
/usr/lib/llvm-22/bin/lit -q "$BUILD_ASAN/test/Frontend" "$BUILD_ASAN/test/Passes" \
  "$BUILD_ASAN/test/Target"

# Sanitized trainers: the ASan marthe-compile links them against the ASan
# runtime (with clang's sanitizer libraries).
ninja -C "$BUILD_ASAN" -j2 build-mlp-e2e-train build-cnn-small-bn-seeded-train
(cd "$BUILD_ASAN" && ctest --output-on-failure \
  -R '^e2e[.](kill9_resume|divergence_and_rollback|seeded_init_is_pytorchs)$')
/usr/lib/llvm-22/bin/lit -q "$BUILD_ASAN/test/Codegen/npy-data.test"
echo "sanitized trainers: kill -9 and resume, rollback, BatchNorm CNN, .npy data clean"

# C++ leaves the order of a call's arguments unspecified: IR built inside
# them would differ between compilers, and with it the build fingerprint.
if [ -x "$BUILD/bin/marthe-compile" ]; then
  models=$(mktemp -d)
  /usr/bin/python3 "$ROOT/models/cnn.py" -o "$models/cnn.onnx" --arch small_bn --batch 100 2>/dev/null
  /usr/bin/python3 "$ROOT/models/mlp.py" -o "$models/mlp.onnx" >/dev/null 2>&1
  printf '[optimizer]\nkind = "adam"\n' > "$models/adam.toml"
  for kind in prodigy dadapt_adam schedulefree_sgd schedulefree_adamw ldog; do
    printf '[optimizer]\nkind = "%s"\n' "$kind" > "$models/$kind.toml"
  done
  printf '[run]\nsteps = 8\n' > "$models/automatic.toml"
  for model in "$models"/*.onnx "$ROOT"/test/Fuzz/corpus/importer/{conv,conv1d,ops,pad,view}.onnx; do
    configs=("$ROOT/models/train.toml" "$models/adam.toml")
    # every optimizer kind (and the automatic setting: no config's) on the BatchNorm CNN
    [[ $model == "$models/cnn.onnx" ]] && configs=("$ROOT/models/train.toml" "$models"/*.toml)
    for config in "${configs[@]}"; do
      "$BUILD/bin/marthe-compile" "$model" --config "$config" --emit=buffers -o "$models/gcc.mlir" >/dev/null
      "$BUILD_ASAN/bin/marthe-compile" "$model" --config "$config" --emit=buffers -o "$models/clang.mlir" >/dev/null
      cmp -s "$models/gcc.mlir" "$models/clang.mlir" ||
        { echo "gcc's and clang's marthe-compile derive different IR for $model ($config)" >&2; exit 1; }
    done
  done
  rm -rf "$models"
  echo "gcc and clang builds derive the same IR"
fi

findings="$BUILD_ASAN/fuzz-findings"
rm -rf "$findings" && mkdir -p "$findings"
for target in importer pipeline config checkpoint; do
  fuzzer="$BUILD_ASAN/test/Fuzz/marthe-fuzz-$target"
  corpus="$ROOT/test/Fuzz/corpus/${target/pipeline/importer}"
  work=$(mktemp -d)
  cp "$corpus"/* "$work"/
  echo "fuzzing $target: $(ls "$corpus" | wc -l) seeds, ${FUZZ_SECONDS}s"
  # The seeds first (-runs=0 replays them), then new inputs from them.
  "$fuzzer" -runs=0 "$corpus" 2>&1 | tail -n 2
  "$fuzzer" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=4096 -max_len=65536 \
    -seed=1 -print_final_stats=1 -artifact_prefix="$findings/$target-" "$work" 2>&1 \
    | grep -E '^(stat::number_of_executed_units|stat::new_units_added|#[0-9]+ +DONE)|ERROR|SUMMARY' || true
  rm -rf "$work"
  if compgen -G "$findings/$target-*" >/dev/null; then
    echo "fuzzing $target found a failure: $(ls "$findings"/$target-*)" >&2
    exit 1
  fi
done
echo "sanitizers: unit tests and fuzzing clean"
