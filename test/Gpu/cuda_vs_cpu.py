"""The CUDA target against the CPU target, on a machine with an NVIDIA GPU.

usage: cuda_vs_cpu.py BIN DATA WORK

BIN holds trainers built by scripts/make-gpu-bundle.sh (or the ctest setup):
mlp64-<optimizer>-<cpu|cuda> for the float64 numerics MLP (784-32-10) with
MARTHE, paper-<cpu|cuda> for the paper's float32 model, cnn64-<cpu|cuda> for
a float64 CNN (models/cnn.py small_bn: BatchNormalization, grouped strided
convolution, overlapping max pooling, dropout; MARTHE with momentum) and
cnn-<cpu|cuda> for the float32 small CNN. DATA is a
Fashion-MNIST directory ("-": the trainers' default), WORK a scratch
directory. Exits 0 when every check
holds, 1 when one fails, 77 (skip) when there is no usable GPU.

Checks, each on the full-precision checkpoint (metrics rows as doubles and
every state tensor), not on the 9-digit CSV:
- float64, sgd/momentum/adam: CUDA and CPU runs agree to 1e-9 (relative);
- float32, the paper's model: eta over 100 steps within 1e-3 (relative);
- resume across targets: CPU to step 20 then CUDA to 40, and CUDA then CPU,
  agree with an uninterrupted CPU run to 1e-9 (float64);
- a step replayed from a CUDA graph gives bit-identical results to direct
  launches (MARTHE_CUDA_GRAPHS=0);
- the CNNs (cuDNN convolutions, our max-pooling kernels): float64 CUDA vs
  CPU to 1e-9 over 20 steps, resumed across targets likewise, CUDA graphs
  bit-identical to direct launches (cuDNN's deterministic algorithms), and
  float32 eta over 100 steps within 1e-3.
"""
import array
import math
import os
import shutil
import struct
import subprocess
import sys

SKIP = 77
INPUT_ROLES = {"input", "labels", "val_input", "val_labels"}
COLUMNS = ["step", "loss", "val_loss", "val_acc", "eta", "mu", "beta", "c", "beta_step",
           "hypergrad", "g1", "d", "seconds"]


def read_checkpoint(path, dtype):
    """(rows [steps x 9], {role: array}) of a checkpoint.bin."""
    data = open(path, "rb").read()
    magic = b"MARTHE-CHECKPOINT 5\n"
    assert data.startswith(magic), path
    offset = len(magic)

    def take(fmt):
        nonlocal offset
        values = struct.unpack_from(fmt, data, offset)
        offset += struct.calcsize(fmt)
        return values

    def blob():
        nonlocal offset
        (size,) = take("<Q")
        chunk = data[offset:offset + size]
        offset += size
        return chunk

    blob(), blob()  # build fingerprint, options
    take("<qd")  # next step, beta_step
    (count,) = take("<Q")
    take("<" + "qqdd" * count)  # rollbacks: step, resumed at, beta_step before, after
    take("<d")  # seconds
    (count,) = take("<Q")
    rows = [array.array("d", blob()) for _ in range(count)]
    columns = [[row[c] for row in rows] for c in range(len(COLUMNS))]
    (count,) = take("<Q")
    tensors = {}
    for _ in range(count):
        role = blob().decode()
        raw = blob()
        if role not in INPUT_ROLES:
            tensors[role] = array.array(dtype, raw)
    return columns, tensors


def run(trainer, out, *args, env=None, check=True):
    command = [trainer, "--out", out, "--quiet", "--overwrite", *args]
    result = subprocess.run(command, capture_output=True, text=True,
                            env={**os.environ, **(env or {})})
    if check and result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited {result.returncode}: {result.stderr.strip()}")
    return result


def relative_error(a, b):
    """Normwise: max |a - b| over max |b| (0 when both are 0)."""
    assert len(a) == len(b)
    scale = max(max((abs(y) for y in b), default=0.0), 1e-300)
    return max((abs(x - y) for x, y in zip(a, b)), default=0.0) / scale


class Checks:
    def __init__(self):
        self.failed = 0

    def expect(self, name, error, tolerance):
        ok = error <= tolerance
        self.failed += not ok
        print(f"{'PASS' if ok else 'FAIL'}: {name}: largest relative error {error:.3g} "
              f"(tolerance {tolerance:g})", flush=True)

    def compare(self, name, first, second, dtype, tolerance):
        columns_a, tensors_a = read_checkpoint(os.path.join(first, "checkpoint.bin"), dtype)
        columns_b, tensors_b = read_checkpoint(os.path.join(second, "checkpoint.bin"), dtype)
        assert tensors_a.keys() == tensors_b.keys(), name
        errors = [relative_error(columns_a[c], columns_b[c])
                  for c in range(1, len(COLUMNS)) if COLUMNS[c] not in ("val_acc", "seconds")
                  and all(math.isfinite(v) for v in columns_b[c])]
        errors += [relative_error(tensors_a[r], tensors_b[r]) for r in tensors_b]
        self.expect(name, max(errors), tolerance)


def check_cnn64(checks, trainer, work, common):
    outs = {}
    for device in ("cpu", "cuda"):
        outs[device] = os.path.join(work, f"cnn64-{device}")
        run(trainer(f"cnn64-{device}"), outs[device], "--steps", "20", *common)
    checks.compare("float64 CNN (cuDNN, max pooling, BatchNorm, dropout), 20 steps, CUDA vs CPU",
                   outs["cuda"], outs["cpu"], "d", 1e-9)
    resumed = os.path.join(work, "cnn64-resume-cpu-cuda")
    run(trainer("cnn64-cpu"), resumed, "--steps", "10", *common)
    run(trainer("cnn64-cuda"), resumed, "--steps", "20", "--resume", *common)
    checks.compare("float64 CNN resumed: CPU to step 10, then CUDA to 20, vs CPU throughout",
                   resumed, outs["cpu"], "d", 1e-9)
    direct = os.path.join(work, "cnn64-direct")
    run(trainer("cnn64-cuda"), direct, "--steps", "20", *common, env={"MARTHE_CUDA_GRAPHS": "0"})
    checks.compare("float64 CNN: CUDA graphs vs direct launches (bit-identical)", outs["cuda"],
                   direct, "d", 0.0)


def check_float32_eta(checks, trainer, work, model, data):
    outs = {}
    for device in ("cpu", "cuda"):
        outs[device] = os.path.join(work, f"{model}-{device}")
        run(trainer(f"{model}-{device}"), outs[device], "--steps", "100", "--beta-step", "1e-5",
            "--log-every", "100", *data)
    eta = [read_checkpoint(os.path.join(outs[d], "checkpoint.bin"), "f")[0][4]
           for d in ("cuda", "cpu")]
    checks.expect(f"float32 {model} model: eta over 100 steps, CUDA vs CPU",
                  max(abs(x - y) / abs(y) for x, y in zip(*eta)), 1e-3)


def main(bin_dir, data_dir, work):
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    trainer = lambda name: os.path.join(bin_dir, name)
    data = [] if data_dir == "-" else ["--data-dir", data_dir]
    probe = run(trainer("mlp64-sgd-cuda"), os.path.join(work, "probe"), "--steps", "1", *data,
                check=False)
    if probe.returncode != 0 and "CUDA device" in probe.stderr:
        print(f"SKIP: {probe.stderr.strip()}")
        return SKIP
    checks = Checks()
    common = [*data, "--order", "sequential", "--beta-step", "1e-6", "--log-every", "10"]
    for optimizer in ("sgd", "momentum", "adam"):
        outs = {}
        for device in ("cpu", "cuda"):
            outs[device] = os.path.join(work, f"f64-{optimizer}-{device}")
            run(trainer(f"mlp64-{optimizer}-{device}"), outs[device], "--steps", "40", *common)
        checks.compare(f"float64 MARTHE ({optimizer}), 40 steps, CUDA vs CPU", outs["cuda"],
                       outs["cpu"], "d", 1e-9)

    straight = os.path.join(work, "resume-straight")
    run(trainer("mlp64-adam-cpu"), straight, "--steps", "40", *common)
    for first, second in (("cpu", "cuda"), ("cuda", "cpu")):
        out = os.path.join(work, f"resume-{first}-{second}")
        run(trainer(f"mlp64-adam-{first}"), out, "--steps", "20", *common)
        run(trainer(f"mlp64-adam-{second}"), out, "--steps", "40", "--resume", *common)
        checks.compare(f"resume: {first} to step 20, then {second} to 40, vs CPU throughout",
                       out, straight, "d", 1e-9)

    graphs, direct = os.path.join(work, "graphs"), os.path.join(work, "direct")
    run(trainer("mlp64-adam-cuda"), graphs, "--steps", "40", *common)
    run(trainer("mlp64-adam-cuda"), direct, "--steps", "40", *common,
        env={"MARTHE_CUDA_GRAPHS": "0"})
    checks.compare("CUDA graphs vs direct launches (bit-identical)", graphs, direct, "d", 0.0)

    check_cnn64(checks, trainer, work, common)
    for model in ("paper", "cnn"):
        check_float32_eta(checks, trainer, work, model, data)
    print(f"{checks.failed} check(s) failed" if checks.failed else "all checks passed")
    return 1 if checks.failed else 0


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    sys.exit(main(*sys.argv[1:]))
