# Shared by the scripts: install what is missing, configure and build.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${MARTHE_BUILD_DIR:-$ROOT/build}

PACKAGES=(
  cmake ninja-build g++ ccache
  mlir-22-tools libmlir-22-dev llvm-22-dev llvm-22-tools
  libonnx-dev libprotobuf-dev protobuf-compiler libonnx-testdata
  libopenblas-dev libdnnl-dev zlib1g-dev libtomlplusplus-dev nlohmann-json3-dev libgtest-dev
  clang libclang-rt-dev
  dataset-fashion-mnist python3-torch python3-torchvision python3-onnx python3-numpy python3-pip
  python3-matplotlib librsvg2-bin
)

install_missing() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ((${#missing[@]})); then
    echo "installing: ${missing[*]}" >&2
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo apt-get update -q
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${missing[@]}"
  fi
}

# The test oracles from PyPI, pinned, installed into a project-local folder
# for Debian's /usr/bin/python3 (torch comes from Debian, so no dependencies
# are pulled in): the automatic-LR optimizers' reference packages, oracles of
# marthe's optimizer kinds (test/EndToEnd/peer_reference.py), and NVIDIA's
# cuobjdump, which lists what the CUDA fatbins hold (test/Codegen/cuda-fatbin.test).
ORACLES=$ROOT/.oracles # test/EndToEnd/CMakeLists.txt and test/lit.cfg.py read it there
ORACLE_PACKAGES=(prodigyopt==1.1.2 schedulefree==1.4.1 dadaptation==3.2 dog-optimizer==1.0.3
                 nvidia-cuda-cuobjdump==13.2.51)

install_oracles() {
  local stamp="$ORACLES/.installed"
  if [ "$(cat "$stamp" 2>/dev/null)" != "${ORACLE_PACKAGES[*]}" ]; then
    echo "installing the reference optimizers: ${ORACLE_PACKAGES[*]}" >&2
    rm -rf "$ORACLES"
    /usr/bin/python3 -m pip install -q --disable-pip-version-check --no-deps --target "$ORACLES" \
      "${ORACLE_PACKAGES[@]}"
    echo "${ORACLE_PACKAGES[*]}" > "$stamp"
  fi
}

configure_and_build() {
  if [ ! -f "$BUILD/build.ninja" ]; then
    cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir
  fi
  ninja -C "$BUILD" -j2
}
