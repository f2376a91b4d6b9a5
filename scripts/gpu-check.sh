#!/usr/bin/env bash
# The GPU check, on a machine with an NVIDIA GPU, from the bundle that
# scripts/make-gpu-bundle.sh built (carried as gpu-bundle.tar.xz): the GPU
# tests (test/Gpu/cuda_vs_cpu.py), the paper's 512-step run and the small
# CNN's on CUDA with their accuracies, and the per-step times of the compiled
# SGD and MARTHE steps beside the same steps in PyTorch on the same GPU (eager
# and torch.compile), as ratios. Prints the machine first, then one PASS/FAIL
# line per check; every output lands in $OUT. Exits 1 when a check fails.
#
# The trainers find the bundle's libraries through their RUNPATH
# ($ORIGIN/../lib), where this script also links the host's cuBLAS and
# cuDNN; nothing else (Python, PyTorch) sees them.
#
# --stand-in: the same check without a GPU, the CPU trainers with their GEMMs
# on oneDNN standing in for the CUDA ones (cuda_vs_cpu.py --stand-in); the
# GPU's timings are skipped.
set -uo pipefail
STAND_IN=
if [ "${1:-}" = "--stand-in" ]; then
  STAND_IN=--stand-in
fi
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=${WORK:-/tmp/marthe-gpu-check}
OUT=${OUT:-$WORK/out}
rm -rf "$WORK" && mkdir -p "$WORK" "$OUT"
exec > >(tee "$OUT/gpu-check.txt") 2>&1
start=$(date +%s)
tar -C "$WORK" -xJf "$ROOT/gpu-bundle.tar.xz" || { echo "FAIL unpack gpu-bundle.tar.xz"; exit 1; }
B=$WORK/gpu-bundle
PY=${PYTHON:-python3}

echo "== the machine"
nvidia-smi --query-gpu=name,driver_version,compute_cap,memory.total --format=csv,noheader ||
  echo "nvidia-smi: not available"
echo "glibc: $(ldd --version 2>&1 | head -1)"
$PY -c 'import torch; print("PyTorch", torch.__version__, "CUDA", torch.version.cuda)' ||
  echo "PyTorch: not importable"
# cuBLAS 13 and cuDNN 9: the toolkit's, or the ones PyTorch's wheels carry.
search=(/usr/local/cuda*/lib64 /usr/local/cuda*/targets/*/lib /usr/lib/x86_64-linux-gnu)
search+=($($PY -c 'import site; print(" ".join(site.getsitepackages()))' 2>/dev/null))
for pattern in 'libcublas.so.13' 'libcublasLt.so.13' 'libcudnn*.so.9'; do
  find -H "${search[@]}" -name "$pattern" 2>/dev/null | awk -F/ '!seen[$NF]++' |
    while read -r library; do
      echo "host library: $library"
      ln -sf "$library" "$B/lib/"
    done
done
echo "bundle libraries: $(cd "$B/lib" && ls | tr '\n' ' ')"
missing=$(ldd "$B/bin/paper-cpu" "$B/bin/paper-cuda" 2>&1 | grep -E 'not found|version .* not found' || true)
if [ -n "$missing" ]; then
  echo "FAIL trainers' libraries: $missing"
  exit 1
fi

status=0
# check NAME COMMAND...: runs COMMAND, prints PASS/FAIL with its exit status
# and wall time.
check() {
  local name=$1 began=$(date +%s.%N) code
  shift
  "$@"
  code=$?
  local wall=$(awk -v a="$began" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}')
  if [ "$code" -eq 0 ]; then
    echo "PASS $name (${wall} s)"
  else
    echo "FAIL $name: exit status $code (${wall} s)"
    status=1
  fi
}

# train NAME TRAINER: 512 steps of TRAINER on the bundle's data, then its
# accuracies from summary.json. On the stand-in, X-cuda is X-cpu on oneDNN.
train() {
  local trainer=$2 gemm=openblas
  if [ -n "$STAND_IN" ]; then
    trainer=${trainer%-cuda}-cpu gemm=onednn
  fi
  MARTHE_CPU_GEMM=$gemm "$B/bin/$trainer" --data-dir "$B/data" --out "$WORK/$1" --quiet &&
    cp "$WORK/$1/summary.json" "$OUT/$1-summary.json" &&
    cp "$WORK/$1/metrics.csv" "$OUT/$1-metrics.csv" &&
    $PY - "$WORK/$1/summary.json" "$1" <<'PYTHON'
import json, sys
summary = json.load(open(sys.argv[1]))
print(f"{sys.argv[2]}: validation {summary['val_acc']:.4f}, test {summary['test_acc']:.4f}")
PYTHON
}

echo "== CUDA against the CPU (test/Gpu/cuda_vs_cpu.py)"
check "cuda_vs_cpu" $PY "$ROOT/test/Gpu/cuda_vs_cpu.py" $STAND_IN "$B/bin" "$B/data" "$WORK/tests"
echo "== the paper's model and the small CNN, 512 MARTHE steps on CUDA"
check "paper model on CUDA" train paper-cuda paper-cuda
check "small CNN on CUDA" train cnn-cuda cnn-cuda

if [ -n "$STAND_IN" ]; then
  echo "SKIP step times: the stand-in has no GPU"
  echo "== $( [ $status -eq 0 ] && echo PASS || echo FAIL ) gpu-check --stand-in, $(( $(date +%s) - start )) s"
  exit $status
fi

echo "== step times (batch 100, float32)"
check "step benchmark" bash -c "'$B/bin/cuda-step-benchmark' > '$OUT/steps.txt'"
check "step benchmark without CUDA graphs" bash -c \
  "MARTHE_CUDA_GRAPHS=0 '$B/bin/cuda-step-benchmark' | sed 's/^/without CUDA graphs: /' >> '$OUT/steps.txt'"
check "PyTorch eager steps" bash -c "$PY '$ROOT/bench/torch_step.py' --cuda eager > '$OUT/torch.txt'"
# torch.compile of a double backward may compile for long, or not at all.
check "PyTorch torch.compile steps" bash -c \
  "timeout 120 $PY '$ROOT/bench/torch_step.py' --cuda compile >> '$OUT/torch.txt'"
cat "$OUT/steps.txt" "$OUT/torch.txt" 2>/dev/null
awk '/^SGD step/ && !s {s = $3} /^MARTHE step/ && !m {m = $3}
     /, (eager|torch.compile): SGD step/ {
       mode = ($0 ~ /eager/) ? "eager" : "torch.compile"
       ts = $(NF - 5); tm = $(NF - 1)
       if (ts + 0 > 0 && tm + 0 > 0)
         printf "PyTorch %s / compiled: SGD step %.1fx, MARTHE step %.1fx\n", mode, ts / s, tm / m
     }
     END {if (s + 0 > 0) printf "compiled MARTHE step / SGD step: %.2fx\n", m / s}' \
  "$OUT/steps.txt" "$OUT/torch.txt" 2>/dev/null | tee "$OUT/ratios.txt"

echo "== $( [ $status -eq 0 ] && echo PASS || echo FAIL ) gpu-check, $(( $(date +%s) - start )) s"
exit $status
