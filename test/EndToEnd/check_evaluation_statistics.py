"""Schedule-free with BatchNormalization: the running statistics that
validation, test and model.onnx use are recomputed at the evaluation point x
over the first training batches, as schedulefree's docs require.

usage: check_evaluation_statistics.py TRAINER OUT_DIR

TRAINER is models/cnn.py small_bn compiled with
evaluation_statistics.toml (schedule-free AdamW, 32 steps). A run with
--statistics-batches 0 writes x with the step's running statistics (those of
the iterates y); a run with --statistics-batches 4 must write the same x with
the statistics of 4 training-mode passes at x over train[0:400] in order,
each folded in with the model's momentum from the step's statistics,
computed here in float64 by PyTorch. Both runs train alike (the statistics
never feed the step), and the recomputation moves the validation accuracy
the summary reports.
"""
import json
import subprocess
import sys

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import numpy_helper

import fashion_mnist

BATCHES, BATCH = 4, 100


def run(trainer, out, batches):
    subprocess.run([trainer, "--out", out, "--overwrite", "--quiet",
                    "--statistics-batches", str(batches)], check=True)
    model = onnx.load(f"{out}/model.onnx")
    tensors = {t.name: numpy_helper.to_array(t).astype(np.float64)
               for t in model.graph.initializer}
    with open(f"{out}/summary.json") as f:
        return model, tensors, json.load(f)


def batch_norm(x, running_mean, running_var, momentum, eps=1e-5):
    """Training-mode BatchNormalization (ONNX: biased variance)."""
    mean = x.mean(dim=(0, 2, 3))
    var = ((x - mean[None, :, None, None]) ** 2).mean(dim=(0, 2, 3))
    y = (x - mean[None, :, None, None]) / torch.sqrt(var[None, :, None, None] + eps)
    return y, momentum * running_mean + (1 - momentum) * mean, \
        momentum * running_var + (1 - momentum) * var


def normalize(x, layer, w, stats, momentum):
    mean, var = f"{layer}.running_mean", f"{layer}.running_var"
    y, stats[mean], stats[var] = batch_norm(x, stats[mean], stats[var], momentum[mean])
    return y * w[f"{layer}.weight"][None, :, None, None] + w[f"{layer}.bias"][None, :, None, None]


def recompute(model, t):
    """The statistics after BATCHES passes of the small_bn CNN at x."""
    momentum = {n.input[3]: onnx.helper.get_attribute_value(a)
                for n in model.graph.node if n.op_type == "BatchNormalization"
                for a in n.attribute if a.name == "momentum"}
    w = {k: torch.tensor(v) for k, v in t.items()}
    stats = {k: w[k].clone() for k in ("1.running_mean", "1.running_var",
                                       "5.running_mean", "5.running_var")}
    images, _ = fashion_mnist.load("train", 0, BATCHES * BATCH)
    for k in range(BATCHES):
        x = torch.tensor(images[k * BATCH:(k + 1) * BATCH], dtype=torch.float64)
        x = F.conv2d(x.reshape(BATCH, 1, 28, 28), w["0.weight"], padding=1)
        x = normalize(x, "1", w, stats, momentum)
        x = F.max_pool2d(F.relu(x), 3, stride=2, padding=1)
        x = F.conv2d(x, w["4.weight"], w["4.bias"], stride=2, padding=1, groups=2)
        normalize(x, "5", w, stats, momentum)
    return {k: v.numpy() for k, v in stats.items()}


def main():
    trainer, out = sys.argv[1:]
    model, kept, kept_summary = run(trainer, f"{out}/none", 0)
    _, recomputed, summary = run(trainer, f"{out}/recomputed", BATCHES)
    stats = [name for name in kept if "running" in name]
    for name in kept:
        if name not in stats:
            assert np.array_equal(kept[name], recomputed[name]), f"{name}: x differs"
    expected = recompute(model, kept)
    for name in stats:
        scale = float(np.abs(expected[name]).max())
        error = float(np.abs(recomputed[name] - expected[name]).max())
        moved = float(np.abs(kept[name] - expected[name]).max())
        print(f"{name}: |marthe - torch| {error:.3g}, moved {moved:.3g} (scale {scale:.3g})")
        assert error <= 1e-4 * scale, f"{name}: {error} from PyTorch's recomputation"
        assert moved > 100 * error, f"{name}: the recomputation barely moved the statistics"
    assert summary["val_acc"] != kept_summary["val_acc"] or \
        summary["val_loss"] != kept_summary["val_loss"], "validation ignores the statistics"
    print(f"val_acc {kept_summary['val_acc']:.4f} with the step's statistics, "
          f"{summary['val_acc']:.4f} recomputed at x")


if __name__ == "__main__":
    main()
