#!/usr/bin/env bash
# The GPU check, on a machine with an NVIDIA GPU, from the bundle that
# scripts/make-gpu-bundle.sh built (carried as gpu-bundle.tar.xz): the GPU
# tests (test/Gpu/cuda_vs_cpu.py), the paper's 512-step run on CUDA with its
# accuracy, the small CNN's 512 steps on CUDA and on the CPU, and the per-step
# times of the compiled SGD and MARTHE steps beside the same steps in PyTorch
# on the same GPU (eager and torch.compile), as ratios. Results are copied to $OUT when it is set. Under 5 minutes.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=${WORK:-/tmp/marthe-gpu-check}
OUT=${OUT:-$WORK/out}
rm -rf "$WORK" && mkdir -p "$WORK" "$OUT"
tar -C "$WORK" -xJf "$ROOT/gpu-bundle.tar.xz"
B=$WORK/gpu-bundle
PY=${PYTHON:-python3}

# cuBLAS 13 and cuDNN 9: the toolkit's, or the ones PyTorch's wheels carry.
search=(/usr/local/cuda*/lib64 /usr/local/cuda*/targets/*/lib /usr/lib/x86_64-linux-gnu)
search+=($($PY -c 'import site; print(" ".join(site.getsitepackages()))' 2>/dev/null))
CUBLAS=$(find -H "${search[@]}" -name 'libcublas.so.13' 2>/dev/null | head -1)
CUDNN=$(find -H "${search[@]}" -name 'libcudnn.so.9' 2>/dev/null | head -1)
export LD_LIBRARY_PATH=$B/lib:${CUBLAS:+$(dirname "$CUBLAS"):}${CUDNN:+$(dirname "$CUDNN"):}${LD_LIBRARY_PATH:-}
echo "cuBLAS: ${CUBLAS:-not found}"
echo "cuDNN: ${CUDNN:-not found}"
nvidia-smi -L || true

status=0
echo "== GPU tests: CUDA vs CPU"
$PY "$ROOT/test/Gpu/cuda_vs_cpu.py" "$B/bin" "$B/data" "$WORK/tests" | tee "$OUT/gpu-tests.txt"
test "${PIPESTATUS[0]}" -eq 0 || status=1

echo "== the paper's model, 512 MARTHE steps on CUDA (defaults of models/train.toml)"
/usr/bin/time -f "%e s wall" "$B/bin/paper-cuda" --data-dir "$B/data" --out "$WORK/paper" \
  2>&1 | tail -3 | tee "$OUT/paper-run.txt"
cp "$WORK/paper/summary.json" "$WORK/paper/metrics.csv" "$OUT/" 2>/dev/null || status=1

echo "== the small CNN (models/cnn.py small), 512 MARTHE steps on CUDA, then on the CPU"
for device in cuda cpu; do
  /usr/bin/time -f "%e s wall" "$B/bin/cnn-$device" --data-dir "$B/data" --out "$WORK/cnn-$device" \
    2>&1 | tail -3 | sed "s/^/$device: /" | tee -a "$OUT/cnn-run.txt"
done

echo "== step times (batch 100, float32)"
"$B/bin/cuda-step-benchmark" | tee "$OUT/steps.txt"
MARTHE_CUDA_GRAPHS=0 "$B/bin/cuda-step-benchmark" | sed 's/^/without CUDA graphs: /' |
  tee -a "$OUT/steps.txt"
$PY "$ROOT/bench/torch_step.py" --cuda eager | tee "$OUT/torch.txt"
# torch.compile of a double backward may compile for long, or not at all.
timeout 150 $PY "$ROOT/bench/torch_step.py" --cuda compile | tee -a "$OUT/torch.txt" ||
  echo "PyTorch torch.compile: did not finish in 150 s" | tee -a "$OUT/torch.txt"
awk '/^SGD step/ && !s {s = $3} /^MARTHE step/ && !m {m = $3}
     /, (eager|torch.compile): SGD step/ {
       mode = ($0 ~ /eager/) ? "eager" : "torch.compile"
       ts = $(NF - 5); tm = $(NF - 1)
       if (ts + 0 > 0 && tm + 0 > 0)
         printf "PyTorch %s / compiled: SGD step %.1fx, MARTHE step %.1fx\n", mode, ts / s, tm / m
     }
     END {printf "compiled MARTHE step / SGD step: %.2fx\n", m / s}' \
  "$OUT/steps.txt" "$OUT/torch.txt" | tee "$OUT/ratios.txt"
exit $status
