"""MARTHE in PyTorch (float64) against the compiled trainer's metrics.csv.

usage: torch_reference.py TRAINER MODEL OUT_DIR [--optimizer sgd|adam]

The reference follows docs/DESIGN.md §3 literally, with weight decay as
g~ = g + lambda w: H.Z comes from double backward, each optimizer's step and
exact tangent (Z' = mu A Z + B, B = dw'/deta) are written out by hand, and so
is the schedule update. Data order is sequential, and the hyperparameters below
match torch_reference.toml (sgd) and torch_reference_adam.toml (adam).
"""
import argparse
import csv
import subprocess

import numpy as np
import onnx
import torch
from onnx import numpy_helper

import fashion_mnist

BATCH, WEIGHT_DECAY = 100, 0.001
SCHEDULE = {"sgd": dict(eta0=0.05, beta=0.001, beta_step=0.01),
            "adam": dict(eta0=0.001, beta=1e-6, beta_step=1e-8)}
BETA1, BETA2, EPSILON = 0.9, 0.999, 1e-8


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


def sgd(t, w, z, state, g, hz, eta, mu):
    """w' = w - eta g~;  Z' = mu (Z - eta Hz) - g~."""
    b = [-gi for gi in g]
    return ([p + eta * bi for p, bi in zip(w, b)],
            [mu * (zi - eta * h) + bi for zi, h, bi in zip(z, hz, b)], b, state)


def adam(t, w, z, state, g, hz, eta, mu):
    """torch.optim.Adam's step and its exact tangent (docs/DESIGN.md §3)."""
    bc1, bc2 = 1 - BETA1 ** (t + 1), 1 - BETA2 ** (t + 1)
    new_w, new_z, b, new_state = [], [], [], []
    for p, zi, (m, v, dM, dV), gi, h in zip(w, z, state, g, hz):
        m = BETA1 * m + (1 - BETA1) * gi
        v = BETA2 * v + (1 - BETA2) * gi * gi
        s = torch.sqrt(v / bc2)
        u = (m / bc1) / (s + EPSILON)
        dm = BETA1 * dM + (1 - BETA1) * h
        dv = BETA2 * dV + 2 * (1 - BETA2) * gi * h
        ds = torch.where(s > 0, dv / (2 * bc2 * s), torch.zeros_like(s))
        du = dm / (bc1 * (s + EPSILON)) - (m / bc1) * ds / (s + EPSILON) ** 2
        new_w.append(p - eta * u)
        new_z.append(mu * (zi - eta * du) - u)
        b.append(-u)
        new_state.append((m, v, mu * dm, mu * dv))
    return new_w, new_z, b, new_state


def initial_state(optimizer, w):
    if optimizer == "sgd":
        return None
    return [tuple(torch.zeros_like(p) for _ in range(4)) for p in w]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("trainer")
    parser.add_argument("model")
    parser.add_argument("out")
    parser.add_argument("--optimizer", choices=["sgd", "adam"], default="sgd")
    args = parser.parse_args()
    step_fn = {"sgd": sgd, "adam": adam}[args.optimizer]
    schedule = SCHEDULE[args.optimizer]

    subprocess.run([args.trainer, "--out", args.out, "--quiet", "--overwrite"], check=True)
    with open(f"{args.out}/metrics.csv") as f:
        rows = list(csv.DictReader(f))

    model = onnx.load(args.model)
    names = [init.name for init in model.graph.initializer]
    w = [torch.tensor(numpy_helper.to_array(init)) for init in model.graph.initializer]
    logits = model_fn(names)
    loss = lambda params, xy: torch.nn.functional.cross_entropy(logits(params, xy[0]), xy[1])
    train, validation = load_split(0, 7000), load_split(7000, 7700)

    z, state = [torch.zeros_like(p) for p in w], initial_state(args.optimizer, w)
    eta, beta, mu, c, hg_prev = schedule["eta0"], schedule["beta"], 0.0, 0.0, 0.0
    worst = {}
    for t, row in enumerate(rows):
        params = [p.clone().requires_grad_(True) for p in w]
        train_loss = loss(params, batch(train, t))
        grads = torch.autograd.grad(train_loss, params, create_graph=True)
        hz = torch.autograd.grad(grads, params, grad_outputs=z)
        g = [gi.detach() + WEIGHT_DECAY * p for gi, p in zip(grads, w)]
        hz = [h + WEIGHT_DECAY * zi for h, zi in zip(hz, z)]
        w, z, b, state = step_fn(t, w, z, state, g, hz, eta, mu)
        params = [p.clone().requires_grad_(True) for p in w]
        val_loss = loss(params, batch(validation, t))
        e = torch.autograd.grad(val_loss, params)
        hg = sum(float((zi * ei).sum()) for zi, ei in zip(z, e))
        g1 = sum(float((bi * ei).sum()) for bi, ei in zip(b, e))

        new_beta = max(beta + schedule["beta_step"] * hg * hg_prev, 0.0)
        # Row t: the schedule in effect during step t, then what step t computed.
        expected = {"loss": float(train_loss), "val_loss": float(val_loss), "eta": eta,
                    "mu": mu, "beta": beta, "c": c, "beta_step": schedule["beta_step"],
                    "hypergrad": hg, "g1": g1}
        for key, value in expected.items():
            actual = float(row[key])
            error = abs(actual - value) / max(abs(value), 1e-12)
            worst[key] = max(worst.get(key, 0.0), error)
            assert error < 1e-7, f"step {t} {key}: marthe {actual!r} vs torch {value!r}"

        q = 0.0 if g1 == 0 else min(max(hg / g1, 0.0), 1.0)
        eta = max(eta - new_beta * hg, 0.0)
        mu, c = q ** (1.0 / (c + 1.0)), mu * (1.0 + c)
        beta, hg_prev = new_beta, hg
    key = max(worst, key=worst.get)
    print(f"torch reference ({args.optimizer}): {len(rows)} steps agree, "
          f"worst relative difference {worst[key]:.2e} ({key})")


if __name__ == "__main__":
    main()
