"""MARTHE in PyTorch (float64) against the compiled trainer's metrics.csv.

usage: torch_reference.py TRAINER MODEL OUT_DIR

The reference follows DESIGN.md section 3 literally for SGD with weight decay:
H.Z comes from double backward, B = -(g + lambda w), and the schedule update is
written out by hand. Data order is sequential, as in torch_reference.toml.
"""
import csv
import subprocess
import sys

import numpy as np
import onnx
import torch
from onnx import numpy_helper

import fashion_mnist

BATCH, WEIGHT_DECAY, ETA0, BETA0, ALPHA = 100, 0.001, 0.05, 0.001, 0.01


def load_split(begin, end):
    pixels, labels = fashion_mnist.load("train", begin, end)
    return torch.tensor(pixels.astype(np.float64)), torch.tensor(labels.astype(np.int64))


def batch(split, t):
    x, y = split
    index = torch.arange(t * BATCH, (t + 1) * BATCH) % len(y)
    return x[index], y[index]


def model_fn(names):
    def logits(params, x):
        h = x
        layers = len(names) // 2
        for k in range(layers):
            h = h @ params[2 * k].T + params[2 * k + 1]
            if k + 1 < layers:
                h = torch.relu(h)
        return h
    return logits


def main(trainer, model_path, out):
    subprocess.run([trainer, "--out", out, "--quiet"], check=True)
    with open(f"{out}/metrics.csv") as f:
        rows = list(csv.DictReader(f))

    model = onnx.load(model_path)
    names = [init.name for init in model.graph.initializer]
    w = [torch.tensor(numpy_helper.to_array(init)) for init in model.graph.initializer]
    logits = model_fn(names)
    loss = lambda params, xy: torch.nn.functional.cross_entropy(logits(params, xy[0]), xy[1])
    train, validation = load_split(0, 7000), load_split(7000, 7700)

    z = [torch.zeros_like(p) for p in w]
    eta, beta, mu, c, hg_prev = ETA0, BETA0, 0.0, 0.0, 0.0
    worst = 0.0
    for t, row in enumerate(rows):
        params = [p.clone().requires_grad_(True) for p in w]
        train_loss = loss(params, batch(train, t))
        grads = torch.autograd.grad(train_loss, params, create_graph=True)
        hz = torch.autograd.grad(grads, params, grad_outputs=z)
        g = [gi.detach() + WEIGHT_DECAY * p for gi, p in zip(grads, w)]
        hz = [h + WEIGHT_DECAY * zi for h, zi in zip(hz, z)]
        z = [mu * (zi - eta * h) - gi for zi, h, gi in zip(z, hz, g)]
        w = [p - eta * gi for p, gi in zip(w, g)]
        params = [p.clone().requires_grad_(True) for p in w]
        val_loss = loss(params, batch(validation, t))
        e = torch.autograd.grad(val_loss, params)
        hg = sum(float((zi * ei).sum()) for zi, ei in zip(z, e))
        g1 = sum(float((-gi * ei).sum()) for gi, ei in zip(g, e))

        expected = {"loss": float(train_loss), "val_loss": float(val_loss), "eta": eta,
                    "mu": mu, "hypergrad": hg, "g1": g1}
        new_beta = max(beta + ALPHA * hg * hg_prev, 0.0)
        expected["beta"] = new_beta
        for key, value in expected.items():
            actual = float(row[key])
            error = abs(actual - value) / max(abs(value), 1e-12)
            worst = max(worst, error)
            assert error < 1e-7, f"step {t} {key}: marthe {actual!r} vs torch {value!r}"

        q = 0.0 if g1 == 0 else min(max(hg * g1 / (g1 * g1), 0.0), 1.0)
        eta = max(eta - new_beta * hg, 0.0)
        mu, c = q ** (1.0 / (c + 1.0)), mu * (1.0 + c)
        beta, hg_prev = new_beta, hg
    print(f"torch reference: {len(rows)} steps agree, worst relative difference {worst:.2e}")


if __name__ == "__main__":
    main(*sys.argv[1:])
