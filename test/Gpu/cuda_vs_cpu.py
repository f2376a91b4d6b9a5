"""The CUDA target against the CPU target, on a machine with an NVIDIA GPU,
or against a stand-in for it here.

usage: cuda_vs_cpu.py [--stand-in [--inject-fault X]] [--fail-fast] BIN DATA WORK

BIN holds trainers built by scripts/make-gpu-bundle.sh (or the ctest setup):
mlp64-<optimizer>-<cpu|cuda> for the float64 numerics MLP (784-32-10) with
MARTHE, paper-<cpu|cuda> for the paper's float32 model, cnn64-<cpu|cuda> for
a float64 CNN (models/cnn.py small_bn: BatchNormalization, grouped strided
convolution, overlapping max pooling, dropout; MARTHE with momentum) and
cnn-<cpu|cuda> for the float32 small CNN. DATA is a Fashion-MNIST directory
("-": the trainers' default), WORK a scratch directory. Exits 0 when every
check holds, 1 when one fails, 77 (skip) when there is no usable GPU.

--stand-in: the "device" is the CPU trainer with its GEMMs on oneDNN and a
plain float64 loop instead of OpenBLAS (MARTHE_CPU_GEMM=onednn): a correct
device that rounds otherwise, which every check must accept (the CUDA graph
checks are skipped). --inject-fault X scales the stand-in's every product by
1 + X: a wrong device, which the checks must refuse. --fail-fast stops at the first failed
check.

Checks, on the full-precision checkpoints (metrics rows as doubles and every
state tensor), not on the 9-digit CSV:
- float64, sgd/momentum/adam with MARTHE and adam with a constant schedule:
  the device and the CPU agree to 1e-9, each tensor measured against its
  own scale or, when it is far smaller than its kind's (a bias feeding a
  BatchNorm has a gradient of exactly 0, so its momentum and tangent hold
  rounding noise of 1e-16), against 1e-3 of the largest tensor of its kind;
  val_acc and summary.json's accuracies within one sample;
- resume across targets: CPU to step 20 then the device to 40, and back,
  agree with an uninterrupted CPU run likewise;
- CUDA graphs: a step replayed from a graph is bit-identical to direct
  launches (MARTHE_CUDA_GRAPHS=0), and MARTHE_CUDA_GRAPHS=require runs;
- the float64 CNN (cuDNN convolutions, our max pooling and BatchNorm
  kernels) likewise over 20 steps, resumed across targets;
- float32, the paper's model and the small CNN: MARTHE's eta (beta_step
  1e-6) over 40 steps within 1e-3 (relative). Rounding differences grow
  chaotically once eta climbs: the small CNN on OpenBLAS and on oneDNN
  differ by 2e-8 at step 40, 1e-5 at step 50, 3e-3 at step 70 and 0.2 at
  step 80, and its validation accuracy after 100 such steps by 0.37. The
  validation accuracy after 100 steps of a constant schedule (eta 0.05,
  stable) agrees within 0.03 (measured: 0.007 and 0).
"""
import array
import json
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


def relative_error(a, b, floor=0.0):
    """Normwise: max |a - b| over max(max |b|, floor) (0 when both are 0)."""
    assert len(a) == len(b)
    scale = max(max((abs(y) for y in b), default=0.0), floor, 1e-300)
    return max((abs(x - y) for x, y in zip(a, b)), default=0.0) / scale


def kind_of(role):
    """Tensors of one kind share a scale: "tangent:opt:momentum" for
    "tangent:opt:momentum:param:fc1.weight", "param" for "param:fc1.weight"."""
    return role.split(":param:")[0] if ":param:" in role else role.split(":")[0]


class Checks:
    def __init__(self, fail_fast=False):
        self.failed, self.fail_fast = 0, fail_fast

    def expect(self, name, error, tolerance, what="largest relative error"):
        ok = error <= tolerance
        self.failed += not ok
        print(f"{'PASS' if ok else 'FAIL'}: {name}: {what} {error:.3g} "
              f"(tolerance {tolerance:g})", flush=True)
        if not ok and self.fail_fast:
            print("1 check(s) failed (--fail-fast)")
            sys.exit(1)

    def skip(self, name, why):
        print(f"SKIP: {name}: {why}", flush=True)

    def compare(self, name, first, second, dtype, tolerance):
        """Checkpoints of `first` (the device's) and `second` (the CPU's)."""
        columns_a, tensors_a = read_checkpoint(os.path.join(first, "checkpoint.bin"), dtype)
        columns_b, tensors_b = read_checkpoint(os.path.join(second, "checkpoint.bin"), dtype)
        assert tensors_a.keys() == tensors_b.keys(), name
        errors = [relative_error(columns_a[c], columns_b[c])
                  for c in range(1, len(COLUMNS)) if COLUMNS[c] not in ("val_acc", "seconds")
                  and all(math.isfinite(v) for v in columns_b[c])]
        largest = {}
        for role, values in tensors_b.items():
            largest[kind_of(role)] = max(largest.get(kind_of(role), 0.0),
                                         max((abs(v) for v in values), default=0.0))
        errors += [relative_error(tensors_a[r], tensors_b[r], 1e-3 * largest[kind_of(r)])
                   for r in tensors_b]
        self.expect(name, max(errors), tolerance)
        if tolerance > 0:
            self.same_accuracy(name, first, second, columns_a, columns_b)

    def same_accuracy(self, name, first, second, columns_a, columns_b):
        """val_acc rows and summary.json's accuracies within one sample."""
        gaps = [abs(x - y) for x, y in zip(columns_a[3], columns_b[3])
                if math.isfinite(x) and math.isfinite(y)]
        summaries = [os.path.join(d, "summary.json") for d in (first, second)]
        if all(os.path.exists(s) for s in summaries):
            a, b = (json.load(open(s)) for s in summaries)
            gaps += [abs(a[k] - b[k]) for k in ("val_acc", "test_acc")]
            differing = [k for k in b["config"] if k != "out" and a["config"][k] != b["config"][k]]
            if differing:
                self.expect(f"{name}: summary.json options", len(differing), 0,
                            f"options that differ ({', '.join(differing)}):")
        self.expect(f"{name}: accuracies", max(gaps, default=0.0), 1 / 700,
                    "largest difference")


class Trainers:
    """The trainers of BIN; on the stand-in, the device's are the CPU's with
    oneDNN's GEMMs (and the injected fault)."""

    def __init__(self, bin_dir, stand_in, fault):
        self.bin_dir, self.stand_in, self.fault = bin_dir, stand_in, fault

    def __call__(self, name, out, *args, env=None, check=True):
        env = dict(env or {})
        if self.stand_in and name.endswith("-cuda"):
            name = name[:-len("-cuda")] + "-cpu"
            env["MARTHE_CPU_GEMM"] = "onednn"
            if self.fault:
                env["MARTHE_CPU_GEMM_FAULT"] = self.fault
        return run(os.path.join(self.bin_dir, name), out, *args, env=env, check=check)


def check_graphs(checks, train, work, name, args):
    if train.stand_in:
        checks.skip(f"{name}: CUDA graphs", "the stand-in has none")
        return
    graphs, direct = os.path.join(work, f"{name}-graphs"), os.path.join(work, f"{name}-direct")
    train(f"{name}-cuda", graphs, *args, env={"MARTHE_CUDA_GRAPHS": "require"})
    train(f"{name}-cuda", direct, *args, env={"MARTHE_CUDA_GRAPHS": "0"})
    checks.compare(f"{name}: CUDA graphs (required) vs direct launches (bit-identical)", graphs,
                   direct, "d", 0.0)


def check_cnn64(checks, train, work, common):
    outs = {}
    for device in ("cpu", "cuda"):
        outs[device] = os.path.join(work, f"cnn64-{device}")
        train(f"cnn64-{device}", outs[device], "--steps", "20", *common)
    checks.compare("float64 CNN (cuDNN, max pooling, BatchNorm, dropout), 20 steps, device vs CPU",
                   outs["cuda"], outs["cpu"], "d", 1e-9)
    resumed = os.path.join(work, "cnn64-resume-cpu-cuda")
    train("cnn64-cpu", resumed, "--steps", "10", *common)
    train("cnn64-cuda", resumed, "--steps", "20", "--resume", *common)
    checks.compare("float64 CNN resumed: CPU to step 10, then the device to 20, vs CPU throughout",
                   resumed, outs["cpu"], "d", 1e-9)
    check_graphs(checks, train, work, "cnn64", ["--steps", "20", *common])


def check_float32(checks, train, work, model, data):
    """eta of MARTHE's first steps, and the accuracy of a stable run."""
    etas, accuracy = [], []
    for device in ("cuda", "cpu"):
        out = os.path.join(work, f"{model}-marthe-{device}")
        train(f"{model}-{device}", out, "--steps", "40", "--beta-step", "1e-6",
              "--log-every", "40", *data)
        etas.append(read_checkpoint(os.path.join(out, "checkpoint.bin"), "f")[0][4])
        out = os.path.join(work, f"{model}-constant-{device}")
        train(f"{model}-{device}", out, "--steps", "100", "--schedule", "constant",
              "--eta0", "0.05", "--log-every", "50", *data)
        accuracy.append(json.load(open(os.path.join(out, "summary.json")))["val_acc"])
    checks.expect(f"float32 {model} model: MARTHE's eta over 40 steps, device vs CPU",
                  relative_error(*etas), 1e-3)
    checks.expect(f"float32 {model} model: validation accuracy after 100 constant steps, "
                  "device vs CPU", abs(accuracy[0] - accuracy[1]), 0.03, "difference")


def main(bin_dir, data_dir, work, stand_in=False, fault=None, fail_fast=False):
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    train = Trainers(bin_dir, stand_in, fault)
    data = [] if data_dir == "-" else ["--data-dir", data_dir]
    probe = train("mlp64-sgd-cuda", os.path.join(work, "probe"), "--steps", "1", *data,
                  check=False)
    if probe.returncode != 0 and "CUDA device" in probe.stderr:
        print(f"SKIP: {probe.stderr.strip()}")
        return SKIP
    checks = Checks(fail_fast)
    common = [*data, "--order", "sequential", "--beta-step", "1e-6", "--log-every", "10"]
    for optimizer, schedule in (("sgd", "marthe"), ("momentum", "marthe"), ("adam", "marthe"),
                                ("adam", "constant")):
        outs = {}
        for device in ("cpu", "cuda"):
            outs[device] = os.path.join(work, f"f64-{optimizer}-{schedule}-{device}")
            train(f"mlp64-{optimizer}-{device}", outs[device], "--steps", "40",
                  "--schedule", schedule, *common)
        checks.compare(f"float64 {schedule} ({optimizer}), 40 steps, device vs CPU",
                       outs["cuda"], outs["cpu"], "d", 1e-9)

    straight = os.path.join(work, "resume-straight")
    train("mlp64-adam-cpu", straight, "--steps", "40", *common)
    for first, second in (("cpu", "cuda"), ("cuda", "cpu")):
        out = os.path.join(work, f"resume-{first}-{second}")
        train(f"mlp64-adam-{first}", out, "--steps", "20", *common)
        train(f"mlp64-adam-{second}", out, "--steps", "40", "--resume", *common)
        checks.compare(f"resume: {first} to step 20, then {second} to 40, vs CPU throughout",
                       out, straight, "d", 1e-9)
    check_graphs(checks, train, work, "mlp64-adam", ["--steps", "40", *common])

    check_cnn64(checks, train, work, common)
    for model in ("paper", "cnn"):
        check_float32(checks, train, work, model, data)
    print(f"{checks.failed} check(s) failed" if checks.failed else "all checks passed")
    return 1 if checks.failed else 0


def parse_arguments(argv):
    stand_in, fault, fail_fast = False, None, False
    while argv and argv[0].startswith("--"):
        if argv[0] == "--stand-in":
            stand_in, argv = True, argv[1:]
        elif argv[0] == "--fail-fast":
            fail_fast, argv = True, argv[1:]
        elif argv[0] == "--inject-fault" and len(argv) > 1:
            fault, argv = argv[1], argv[2:]
        else:
            sys.exit(__doc__)
    if len(argv) != 3 or (fault and not stand_in):
        sys.exit(__doc__)
    return (*argv, stand_in, fault, fail_fast)


if __name__ == "__main__":
    sys.exit(main(*parse_arguments(sys.argv[1:])))
