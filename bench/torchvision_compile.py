"""Every torchvision classification architecture through marthe-compile.

usage: torchvision_compile.py MARTHE_COMPILE OUT_DIR [ARCH ...]

For each architecture (default: all of torchvision 0.14's classification
models): exports it as a new user would (random init, num_classes 10,
training mode, opset 17, batch 16, 3 channels at 32x32 or the smallest size
it accepts), then compiles it to an object with marthe-compile, and reports
what happened: PyTorch's export error, marthe's import error (the node and
op it names), or the compile's wall time and peak memory (its maximum
resident set). Writes OUT_DIR/compile.md, a table, and prints it.
"""
import os
import re
import subprocess
import sys
import time

import torch
import torchvision

ARCHITECTURES = [
    "alexnet", "vgg11", "vgg11_bn", "resnet18", "resnet50", "resnext50_32x4d",
    "wide_resnet50_2", "squeezenet1_0", "squeezenet1_1", "densenet121", "googlenet",
    "inception_v3", "mobilenet_v2", "mobilenet_v3_small", "mobilenet_v3_large", "mnasnet0_5",
    "shufflenet_v2_x0_5", "efficientnet_b0", "efficientnet_v2_s", "regnet_y_400mf",
    "convnext_tiny", "vit_b_16", "swin_t", "maxvit_t",
]
# The smallest input each accepts where 32x32 is too small (an adaptive
# pooling PyTorch exports only to a multiple of its output size: AlexNet's
# 6x6, VGG's 7x7; Inception-v3's stem; the transformers' patch grids).
SIZES = {"alexnet": 224, "vgg11": 224, "vgg11_bn": 224, "inception_v3": 75, "vit_b_16": 224,
         "swin_t": 224, "maxvit_t": 224}
BATCH = 16


def export(arch, path):
    torch.manual_seed(0)
    kwargs = {"num_classes": 10}
    if arch in ("googlenet", "inception_v3"):
        kwargs["aux_logits"] = False
        kwargs["init_weights"] = True
    model = getattr(torchvision.models, arch)(**kwargs).train()
    size = SIZES.get(arch, 32)
    x = torch.randn(BATCH, 3, size, size)
    torch.onnx.export(model, x, path, export_params=True, do_constant_folding=False,
                      opset_version=17, input_names=["input"], output_names=["logits"],
                      training=torch.onnx.TrainingMode.TRAINING,
                      keep_initializers_as_inputs=False)


def first_line(text):
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[0][:240].replace("|", "/") if lines else ""


def compile_model(compiler, model, obj):
    start = time.monotonic()
    run = subprocess.run(["/usr/bin/time", "-f", "maxrss %M", compiler, model, "--emit=obj",
                          "-o", obj], capture_output=True, text=True)
    seconds = time.monotonic() - start
    peak = re.search(r"maxrss (\d+)", run.stderr)
    mib = int(peak.group(1)) / 1024 if peak else float("nan")
    errors = [line for line in run.stderr.splitlines() if "error" in line]
    message = errors[0][:300].replace("|", "/") if errors else first_line(run.stderr)
    return run.returncode, seconds, mib, message


def main(compiler, out_dir, archs):
    os.makedirs(out_dir, exist_ok=True)
    rows = []
    for arch in archs:
        model = os.path.join(out_dir, arch + ".onnx")
        try:
            export(arch, model)
        except Exception as error:  # PyTorch's own export error, reported as it is
            rows.append(f"| {arch} | ✗ PyTorch: {first_line(str(error))} | | |")
            print(rows[-1], flush=True)
            continue
        status, seconds, mib, message = compile_model(compiler, model, model[:-5] + ".o")
        if status == 0:
            rows.append(f"| {arch} | ✓ | {seconds:.1f} s | {mib:.0f} MiB |")
        else:
            message = message.replace(out_dir + "/", "")
            rows.append(f"| {arch} | ✗ marthe: {message} | {seconds:.1f} s | {mib:.0f} MiB |")
        print(rows[-1], flush=True)
    table = ["| architecture | compiles | compile time | compile peak memory |",
             "|---|---|---|---|"] + rows
    with open(os.path.join(out_dir, "compile.md"), "w") as f:
        f.write("\n".join(table) + "\n")


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2], sys.argv[3:] or ARCHITECTURES)
