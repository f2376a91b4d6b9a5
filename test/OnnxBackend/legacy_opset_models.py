"""Node tests at the opsets before 13, which marthe-compile upgrades with
ONNX's version converter: PyTorch exports each small model at an old opset
(the legacy forms: Clip's, Pad's and Slice's attributes, Softmax's 2-D
coercion, ...) and its own output on a random input is the expected one.

usage: legacy_opset_models.py OUT_DIR CASE...

Writes OUT_DIR/CASE/model.onnx, input_0.pb and output_0.pb, as
prepare_node_test.py does for ONNX's own node tests.
"""
import io
import os
import sys
import warnings

import numpy
import onnx
import torch
from onnx import numpy_helper

F = torch.nn.functional


class Lambda(torch.nn.Module):
    def __init__(self, function, *modules):
        super().__init__()
        self.function = function
        self.parts = torch.nn.ModuleList(modules)

    def forward(self, x):
        return self.function(x, *self.parts)


def constant(*shape):
    return torch.nn.Parameter(torch.rand(*shape) + 0.5, requires_grad=False)


class Arithmetic(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.a, self.b, self.c, self.d = constant(4), constant(3, 1), constant(1, 4), constant(4)

    def forward(self, x):
        return (x + self.a) * self.b - self.c / self.d


class MatMul(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.w = constant(6, 4)

    def forward(self, x):
        return torch.matmul(x, self.w)


# name: (opset, module, input shape)
CASES = {
    "gemm_opset9": (9, lambda: torch.nn.Linear(6, 4), [3, 6]),
    "matmul_opset10": (10, MatMul, [3, 6]),
    "arithmetic_opset11": (11, Arithmetic, [3, 4]),
    "activations_opset9": (9, lambda: Lambda(
        lambda x: F.leaky_relu(torch.tanh(x), 0.2) + torch.sigmoid(F.relu(x))), [3, 5]),
    "transpose_opset12": (12, lambda: Lambda(lambda x: x.permute(0, 2, 1)), [2, 3, 4]),
    "clip_opset9": (9, lambda: Lambda(lambda x: torch.clamp(x, -0.5, 0.5)), [3, 5]),
    "clip_opset11": (11, lambda: Lambda(lambda x: torch.clamp(x, min=-0.25)), [3, 5]),
    "reduce_mean_opset10": (10, lambda: Lambda(lambda x: x.mean(dim=1, keepdim=True)), [2, 3, 4]),
    "flatten_opset11": (11, lambda: Lambda(lambda x: torch.flatten(x, 1)), [2, 3, 4]),
    "reshape_opset9": (9, lambda: Lambda(lambda x: x.reshape(2, -1, 2)), [2, 3, 4]),
    "conv_opset9": (9, lambda: torch.nn.Conv2d(2, 3, 3, stride=2, padding=1), [2, 2, 7, 7]),
    "conv_grouped_opset11": (11, lambda: torch.nn.Conv2d(4, 4, 3, padding=2, dilation=2, groups=2),
                             [1, 4, 6, 6]),
    "maxpool_opset9": (9, lambda: torch.nn.MaxPool2d(3, stride=2, padding=1), [2, 2, 7, 7]),
    "maxpool_ceil_opset10": (10, lambda: torch.nn.MaxPool2d(2, ceil_mode=True), [1, 2, 5, 5]),
    "averagepool_opset11": (11, lambda: torch.nn.AvgPool2d(3, stride=2, padding=1), [2, 2, 7, 7]),
    "globalaveragepool_opset9": (9, lambda: torch.nn.AdaptiveAvgPool2d(1), [2, 3, 4, 4]),
    "batchnorm_opset12": (12, lambda: torch.nn.BatchNorm2d(3), [2, 3, 4, 4]),
    "softmax_opset11": (11, lambda: torch.nn.Softmax(dim=1), [2, 3, 4]),
    "softmax_last_opset9": (9, lambda: torch.nn.Softmax(dim=-1), [2, 3, 4]),
    "logsoftmax_opset12": (12, lambda: torch.nn.LogSoftmax(dim=1), [2, 5]),
    "concat_opset10": (10, lambda: Lambda(lambda x: torch.cat([x, 2 * x], dim=1)), [2, 3]),
    "pad_opset9": (9, lambda: Lambda(lambda x: F.pad(x, (1, 2), value=0.5)), [2, 3, 4]),
    "pad_reflect_opset11": (11, lambda: Lambda(lambda x: F.pad(x, (2, 1), mode="reflect")), [2, 3, 4]),
    "slice_opset9": (9, lambda: Lambda(lambda x: x[:, 1:3]), [2, 4, 3]),
    "slice_ends_opset10": (10, lambda: Lambda(lambda x: x[:, 1:, :-1]), [2, 5, 3]),
}


def write_tensor(path, array):
    with open(path, "wb") as f:
        f.write(numpy_helper.from_array(array).SerializeToString())


def export(name, out):
    opset, make, shape = CASES[name]
    torch.manual_seed(sum(map(ord, name)))
    module = make().eval()
    if isinstance(module, torch.nn.BatchNorm2d):  # running statistics that are not 0 and 1
        module.running_mean.uniform_(-1, 1)
        module.running_var.uniform_(0.5, 2)
    x = torch.randn(*shape)
    with torch.no_grad():
        y = module(x)
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(module, (x,), buffer, opset_version=opset, input_names=["x"],
                          output_names=["y"])
    model = onnx.load_from_string(buffer.getvalue())
    version = next(o.version for o in model.opset_import if o.domain in ("", "ai.onnx"))
    if version != opset:
        sys.exit(f"{name}: exported at opset {version}, not {opset}")
    os.makedirs(out, exist_ok=True)
    onnx.save(model, os.path.join(out, "model.onnx"))
    write_tensor(os.path.join(out, "input_0.pb"), x.numpy())
    write_tensor(os.path.join(out, "output_0.pb"), y.numpy().astype(numpy.float32))


def main():
    out, names = sys.argv[1], sys.argv[2:]
    for name in names:
        if name not in CASES:
            sys.exit(f"unknown case {name}; known: {' '.join(CASES)}")
        export(name, os.path.join(out, name))


if __name__ == "__main__":
    main()
