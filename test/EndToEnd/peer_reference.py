"""An automatic-LR optimizer kind of marthe against its reference package.

usage: peer_reference.py TRAINER MODEL OUT_DIR --kind KIND [--tolerance T]

TRAINER is MODEL (a double-precision MLP) compiled with `[optimizer] kind =
KIND` and a constant schedule at the package's default lr, sequential batches.
The script runs it, reads the hyperparameters it resolved from summary.json,
runs the package's optimizer (pinned versions, installed by the test script
into a project-local folder on PYTHONPATH) from the same initializers on the
same batches, and compares the written model with the package's weights
(schedule-free: at its eval() point): the largest difference must be below
T times the largest weight.
"""
import argparse
import json
import subprocess

import onnx
import torch
from onnx import numpy_helper

from torch_reference import batch, load_split, model_fn


def package_optimizer(kind, params, lr, h):
    betas = (h.get("beta1"), h.get("beta2"))
    flag = lambda name: bool(h[name])
    if kind == "prodigy":
        import prodigyopt
        return prodigyopt.Prodigy(
            params, lr=lr, betas=betas, beta3=h["beta3"], eps=h["eps"],
            weight_decay=h["weight_decay"], decouple=flag("decouple"),
            use_bias_correction=flag("use_bias_correction"),
            safeguard_warmup=flag("safeguard_warmup"), d0=h["d0"], d_coef=h["d_coef"],
            growth_rate=h["growth_rate"])
    if kind == "dadapt_adam":
        import dadaptation
        return dadaptation.DAdaptAdam(
            params, lr=lr, betas=betas, eps=h["eps"], weight_decay=h["weight_decay"],
            decouple=flag("decouple"), use_bias_correction=flag("use_bias_correction"),
            d0=h["d0"], growth_rate=h["growth_rate"])
    if kind == "schedulefree_sgd":
        import schedulefree
        return schedulefree.SGDScheduleFree(
            params, lr=lr, momentum=h["momentum"], weight_decay=h["weight_decay"],
            warmup_steps=int(h["warmup_steps"]), r=h["r"],
            weight_lr_power=h["weight_lr_power"], foreach=False)
    if kind == "schedulefree_adamw":
        import schedulefree
        return schedulefree.AdamWScheduleFree(
            params, lr=lr, betas=betas, eps=h["eps"], weight_decay=h["weight_decay"],
            warmup_steps=int(h["warmup_steps"]), r=h["r"],
            weight_lr_power=h["weight_lr_power"], foreach=False)
    if kind == "ldog":
        import dog
        return dog.LDoG(params, reps_rel=h["reps_rel"], lr=lr,
                        weight_decay=h["weight_decay"], eps=h["eps"])
    raise SystemExit(f"unknown kind {kind}")


def hyperparameters(config):
    """summary.json's resolved hyperparameters: null is unset, "inf" infinite."""
    values = {}
    for name, value in config["hyperparameters"].items():
        values[name] = float("inf") if value == "inf" else value
    return values


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("trainer")
    parser.add_argument("model")
    parser.add_argument("out")
    parser.add_argument("--kind", required=True)
    parser.add_argument("--tolerance", type=float, default=1e-7)
    args = parser.parse_args()

    subprocess.run([args.trainer, "--out", args.out, "--quiet", "--overwrite"], check=True)
    with open(f"{args.out}/summary.json") as f:
        config = json.load(f)["config"]
    assert config["optimizer"] == args.kind, config["optimizer"]
    assert config["schedule"] == "constant", config["schedule"]

    model = onnx.load(args.model)
    names = [init.name for init in model.graph.initializer]
    params = [torch.tensor(numpy_helper.to_array(init)).requires_grad_(True)
              for init in model.graph.initializer]
    logits = model_fn(names)
    train = load_split(0, 7000)
    try:
        optimizer = package_optimizer(args.kind, params, config["eta0"], hyperparameters(config))
    except ImportError as error:
        raise SystemExit(f"{error}: scripts/test.sh installs the reference packages into .oracles")
    if hasattr(optimizer, "train"):
        optimizer.train()
    for t in range(config["steps"]):
        x, y = batch(train, t)
        optimizer.zero_grad()
        torch.nn.functional.cross_entropy(logits(params, x), y).backward()
        optimizer.step()
    if hasattr(optimizer, "eval"):
        optimizer.eval()

    ours = {init.name: torch.tensor(numpy_helper.to_array(init))
            for init in onnx.load(f"{args.out}/model.onnx").graph.initializer}
    largest = max(float(p.detach().abs().max()) for p in params)
    moved = max(float((p.detach() - torch.tensor(numpy_helper.to_array(i))).abs().max())
                for p, i in zip(params, model.graph.initializer))
    worst = max(float((ours[n] - p.detach()).abs().max()) for n, p in zip(names, params))
    print(f"{args.kind}: {config['steps']} steps, weights moved by up to {moved:.3g}; largest "
          f"difference from the package {worst:.3g} ({worst / largest:.2e} of the largest "
          f"weight {largest:.3g})")
    if moved < 1e-4 * largest:
        raise SystemExit(f"{args.kind}: the weights hardly moved: the comparison shows nothing")
    if worst > args.tolerance * largest:
        raise SystemExit(f"{args.kind}: above the tolerance {args.tolerance:g}")


if __name__ == "__main__":
    main()
