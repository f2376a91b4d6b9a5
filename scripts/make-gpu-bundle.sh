#!/usr/bin/env bash
# Builds, here, what scripts/gpu-check.sh runs on a GPU machine (driver,
# CUDA 13 and PyTorch, but none of our Debian libraries, no MLIR, no package
# registry): the CUDA and CPU trainers of the numerics MLP (float64) and the
# paper's model, of a float64 and a float32 CNN, the CUDA step benchmark, the shared libraries `ldd` lists
# beyond glibc and CUDA, and the Fashion-MNIST images the runs read, packed
# in gpu-bundle.tar.xz (carried to the device; under 64 MiB).
source "$(dirname "$0")/common.sh"
install_missing
configure_and_build
ninja -C "$BUILD" cuda-step-benchmark gpu-test-trainers
PY=/usr/bin/python3
BUNDLE=$ROOT/gpu-bundle
rm -rf "$BUNDLE" && mkdir -p "$BUNDLE"/{bin,lib,data}
# The GPU tests' trainers (test/Gpu/CMakeLists.txt: objects for x86-64-v3).
for trainer in paper cnn cnn64 mlp64-sgd mlp64-momentum mlp64-adam; do
  cp "$BUILD/test/Gpu/$trainer-cpu" "$BUILD/test/Gpu/$trainer-cuda" "$BUNDLE/bin/"
done
cp "$BUILD/bench/cuda-step-benchmark" "$BUNDLE/bin/"

# Libraries beyond glibc and CUDA's (cuBLAS, and cuDNN which the trainers
# load when they first convolve, are the GPU machine's). Only the trainers
# see them, through their RUNPATH $ORIGIN/../lib (marthe-compile --rpath):
# Python and PyTorch keep the host's libstdc++. The trainers need the glibc
# they were linked against (Debian 12's 2.36) or newer; gpu-check.sh prints
# the host's and fails clearly when a library is missing.
ldd "$BUNDLE"/bin/* | awk '/=> \// {print $3}' | sort -u |
  grep -v -E '/(libc|libm|libpthread|libdl|librt|ld-linux[^/]*)\.so|libcublas|libcudart' |
  xargs -I{} cp -L {} "$BUNDLE/lib/"

# The first 7700 training images (train[0:7000] and train[7000:7700]) and
# the 10000 test images, in the IDX format the trainers read.
$PY - "$BUNDLE/data" <<'PYTHON'
import gzip, struct, sys
source, target = "/usr/share/datasets/fashion-mnist", sys.argv[1]
for name, keep in (("train-images-idx3-ubyte", 7700), ("train-labels-idx1-ubyte", 7700),
                   ("t10k-images-idx3-ubyte", None), ("t10k-labels-idx1-ubyte", None)):
    data = gzip.open(f"{source}/{name}.gz").read()
    dims = data[3]
    shape = list(struct.unpack(f">{dims}I", data[4:4 + 4 * dims]))
    sample = 1
    for d in shape[1:]:
        sample *= d
    count = shape[0] if keep is None else keep
    shape[0] = count
    body = data[4 + 4 * dims:4 + 4 * dims + count * sample]
    with gzip.open(f"{target}/{name}.gz", "wb") as out:
        out.write(data[:4] + struct.pack(f">{dims}I", *shape) + body)
PYTHON

tar -C "$ROOT" -cJf "$ROOT/gpu-bundle.tar.xz" gpu-bundle
echo "gpu-bundle.tar.xz: $(du -h "$ROOT/gpu-bundle.tar.xz" | cut -f1) ($(du -sh "$BUNDLE" | cut -f1) unpacked)"
