#!/usr/bin/env python3
"""Dropout's masks, seen through the gradient of the bias just before it.

usage: check_dropout.py PROGRAM

PROGRAM is DumpDerivatives linked with a one-sample model
Linear(784, 128) -> Tanh -> Dropout(0.3) -> Linear(128, 10) compiled with
--export-derivatives. The gradient of the first bias is exactly zero where the
mask dropped a unit. Checks: about 30% of the units are dropped; another key
drops others; the same key drops the same ones; the H·Z of the same call
(forward over reverse) is zero where the gradient is, so the tangent used
the gradient's mask.
"""
import json
import os
import subprocess
import sys
import tempfile


def dump(program, seed):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "d.json")
        subprocess.run([program, path, str(seed)], check=True)
        with open(path) as f:
            results = json.load(f)["results"]
    grad = results["grad:param:fc1.bias"]["values"]
    hvp = results["hvp:param:fc1.bias"]["values"]
    return [g == 0.0 for g in grad], [h == 0.0 for h in hvp]


def main(program):
    dropped, hvp_zero = dump(program, 1)
    again, _ = dump(program, 1)
    other, _ = dump(program, 2)
    fraction = sum(dropped) / len(dropped)
    print(f"dropped {sum(dropped)} of {len(dropped)} units ({fraction:.2f}); "
          f"key 2 drops {sum(other)}, {sum(a != b for a, b in zip(dropped, other))} differ")
    if not 0.15 <= fraction <= 0.45:
        sys.exit("the dropped fraction is far from the ratio 0.3")
    if dropped != again:
        sys.exit("the same key drew another mask")
    if dropped == other:
        sys.exit("another key drew the same mask")
    if any(d and not h for d, h in zip(dropped, hvp_zero)):
        sys.exit("H·Z is nonzero where the gradient's mask dropped the unit")


if __name__ == "__main__":
    main(*sys.argv[1:])
