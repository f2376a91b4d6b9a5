"""init = "seeded" draws each layer's parameters as PyTorch does, and a
BatchNorm CNN initialized that way learns.

usage: check_seeded_init.py TRAINER MODEL OUT_DIR

TRAINER is MODEL (models/cnn.py small_bn: convolutions without bias, each
followed by BatchNormalization, dropout, a Linear layer) compiled with
seeded_bn.toml. A run whose step size underflows (eta0 = 1e-300) writes the
initial parameters: each conv and Linear weight must fill U(±1/sqrt(fan_in))
(inside the bound, its largest element near it, mean near 0), the Linear bias
U(±1/sqrt(fan_in)) of its layer, BatchNorm's scale 1 and bias 0; another
seed draws other values, the same seed the same. Then 96 steps must take the
training loss far below ln 10 (the old Glorot/zero initialization left it
there) and the validation accuracy above 0.6.
"""
import json
import math
import subprocess
import sys

import numpy as np
import onnx
from onnx import numpy_helper


def initial_parameters(trainer, out, seed):
    subprocess.run([trainer, "--out", out, "--overwrite", "--quiet", "--steps", "1",
                    "--eta0", "1e-300", "--seed", str(seed)], check=True)
    model = onnx.load(f"{out}/model.onnx")
    return {t.name: numpy_helper.to_array(t).astype(np.float64) for t in model.graph.initializer}


def check_uniform(name, values, fan_in):
    bound = 1 / math.sqrt(fan_in)
    largest = float(np.abs(values).max())
    assert largest <= bound, f"{name}: {largest} above the bound {bound}"
    assert largest >= 0.8 * bound, f"{name}: largest {largest} far below the bound {bound}"
    assert abs(float(values.mean())) < 0.2 * bound, f"{name}: mean {values.mean()}"
    print(f"{name}: U(±{bound:.4f}) over fan-in {fan_in}, largest {largest:.4f}")


def main():
    trainer, model_path, out = sys.argv[1:]
    graph = onnx.load(model_path).graph
    params = initial_parameters(trainer, f"{out}/init0", 0)
    checked = 0
    for node in graph.node:
        inputs = list(node.input)
        if node.op_type in ("Conv", "Gemm"):
            w = params[inputs[1]]
            fan_in = int(np.prod(w.shape[1:]))
            check_uniform(inputs[1], w, fan_in)
            if len(inputs) > 2:
                check_uniform(inputs[2], params[inputs[2]], fan_in)
            checked += 1
        elif node.op_type == "BatchNormalization":
            assert np.all(params[inputs[1]] == 1), f"{inputs[1]}: BatchNorm scale not 1"
            assert np.all(params[inputs[2]] == 0), f"{inputs[2]}: BatchNorm bias not 0"
            checked += 1
    assert checked == 5, f"checked {checked} layers, expected 3 weights and 2 BatchNorms"
    again = initial_parameters(trainer, f"{out}/init0b", 0)
    other = initial_parameters(trainer, f"{out}/init1", 1)
    for name, values in params.items():
        assert np.array_equal(values, again[name]), f"{name}: the same seed drew other values"
    assert any(not np.array_equal(v, other[n]) for n, v in params.items() if v.std() > 0), \
        "another seed drew the same values"

    subprocess.run([trainer, "--out", f"{out}/train", "--overwrite", "--quiet"], check=True)
    with open(f"{out}/train/summary.json") as f:
        summary = json.load(f)
    loss, accuracy = summary["final_train_loss"], summary["val_acc"]
    print(f"96 steps from the seeded initialization: training loss {loss:.3f}, "
          f"validation accuracy {accuracy:.3f}")
    assert loss < 0.5 * math.log(10), f"the training loss stayed at {loss}"
    assert accuracy > 0.6, f"validation accuracy {accuracy}"


if __name__ == "__main__":
    main()
