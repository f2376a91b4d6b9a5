#!/usr/bin/env python3
"""The gradient and H·Z of one training step of a convolutional network,
compiled by marthe, against PyTorch's double backward in float64.

usage: compare_with_torch.py --arch ARCH --dump PROGRAM [--tolerance T]

PROGRAM is DumpDerivatives linked with the model compiled with
--export-derivatives; it evaluates the derivatives at the model's initializers
on a random batch and tangent, which this script feeds to the same
architecture (models/cnn.py) in training mode: BatchNormalization uses the
batch's statistics. Prints the relative errors ||ours - torch|| / ||torch||
and fails when one exceeds the tolerance.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "models"))
import cnn  # noqa: E402


def hard_sigmoid(x, inplace=False):
    return torch.clamp(x / 6 + 0.5, 0, 1)


# PyTorch 1.13 has no double backward for hardsigmoid and hardswish; these
# forms compute the same values and derivatives (but at the kinks, where
# PyTorch's derivatives differ anyway) and have one.
torch.nn.functional.hardsigmoid = hard_sigmoid
torch.nn.Hardswish.forward = lambda self, x: x * hard_sigmoid(x)


def tensor(entry):
    return torch.tensor(entry["values"], dtype=torch.float64).reshape(entry["shape"])


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--arch", required=True, choices=sorted(cnn.ARCHITECTURES))
    parser.add_argument("--classes", type=int, default=10)
    parser.add_argument("--dump", required=True)
    parser.add_argument("--tolerance", type=float, default=1e-4)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "derivatives.json")
        subprocess.run([args.dump, path, "1"], check=True)
        with open(path) as f:
            dump = json.load(f)
    inputs, results = dump["args"], dump["results"]

    model = cnn.ARCHITECTURES[args.arch][0](args.classes).double().train()
    state = {}
    for role, entry in inputs.items():
        if role.startswith(("param:", "stat:")):
            state[role.split(":", 1)[1]] = tensor(entry)
    missing = model.load_state_dict(state, strict=False)
    unexpected = [k for k in missing.missing_keys if not k.endswith("num_batches_tracked")]
    if unexpected or missing.unexpected_keys:
        sys.exit(f"parameters do not match: {unexpected} {missing.unexpected_keys}")

    params = dict(model.named_parameters())
    names = [role.split(":", 1)[1] for role in inputs if role.startswith("param:")]
    x = tensor(inputs["input"])
    y = tensor(inputs["labels"]).long()
    loss = torch.nn.functional.cross_entropy(model(x), y)
    grads = torch.autograd.grad(loss, [params[n] for n in names], create_graph=True)
    tangents = [tensor(inputs["tangent:param:" + n]) for n in names]
    hvps = torch.autograd.grad(grads, [params[n] for n in names], grad_outputs=tangents)

    def relative(prefix, expected):
        ours = torch.cat([tensor(results[prefix + "param:" + n]).flatten() for n in names])
        reference = torch.cat([e.detach().flatten() for e in expected])
        return float((ours - reference).norm() / reference.norm())

    errors = {"gradient": relative("grad:", grads), "H·Z": relative("hvp:", hvps)}
    print(f"{args.arch}: " + ", ".join(f"{k} relative error {v:.2e}" for k, v in errors.items()))
    if any(v > args.tolerance for v in errors.values()):
        sys.exit(f"{args.arch}: above the tolerance {args.tolerance:g}")


if __name__ == "__main__":
    main()
