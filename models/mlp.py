#!/usr/bin/env python3
"""Write an MLP as an ONNX file with torch.onnx.export.

The default shape 784,500,500,500,10 is the model of Section 5 of the MARTHE paper.
A first layer of 784 takes [batch, 1, 28, 28] images through a Flatten node.
"""
import argparse
import collections
import math
import sys

import onnx
import torch


class MatMulLinear(torch.nn.Module):
    """y = x @ weight + bias with weight stored as [in, out]; exports as MatMul + Add."""

    def __init__(self, linear):
        super().__init__()
        self.weight = torch.nn.Parameter(linear.weight.detach().t().contiguous())
        self.bias = torch.nn.Parameter(linear.bias.detach().clone())

    def forward(self, x):
        return x @ self.weight + self.bias


class TransposedLinear(torch.nn.Module):
    """y = x @ weight^T + bias with weight [out, in]; exports as Transpose + MatMul + Add."""

    def __init__(self, linear):
        super().__init__()
        self.weight = torch.nn.Parameter(linear.weight.detach().clone())
        self.bias = torch.nn.Parameter(linear.bias.detach().clone())

    def forward(self, x):
        return x @ self.weight.transpose(0, 1) + self.bias


class Center(torch.nn.Module):
    """x - mean(x) over the features; exports as ReduceMean + Sub ([B, n] - [B, 1])."""

    def forward(self, x):
        return x - x.mean(dim=1, keepdim=True)


def build(layers, activation, form, center=False, dropout=0.0):
    act = {"relu": torch.nn.ReLU, "tanh": torch.nn.Tanh, "sigmoid": torch.nn.Sigmoid,
           "leaky_relu": lambda: torch.nn.LeakyReLU(0.1),
           "hardtanh": lambda: torch.nn.Hardtanh(-0.5, 0.5)}[activation]
    modules = collections.OrderedDict()
    if layers[0] == 784:
        modules["flatten"] = torch.nn.Flatten()
    for i, (n_in, n_out) in enumerate(zip(layers, layers[1:]), start=1):
        linear = torch.nn.Linear(n_in, n_out)
        modules[f"fc{i}"] = {"matmul": MatMulLinear, "transposed": TransposedLinear}.get(
            form, lambda layer: layer)(linear)
        if i < len(layers) - 1:
            modules[f"{activation}{i}"] = act()
            if center:
                modules[f"center{i}"] = Center()
            if dropout:
                modules[f"dropout{i}"] = torch.nn.Dropout(dropout)
    return torch.nn.Sequential(modules)


def export(path, layers, activation="relu", form="gemm", opset=13, batch="dynamic",
           seed=0, double=False, center=False, dropout=0.0, flat=False):
    torch.manual_seed(seed)
    model = build(layers, activation, form, center, dropout)
    model.train(dropout > 0)
    dtype = torch.float64 if double else torch.float32
    model.to(dtype)
    shape = [1, 28, 28] if layers[0] == 784 and not flat else [layers[0]]
    example = torch.zeros([2 if batch == "dynamic" else batch] + shape, dtype=dtype)
    dynamic = {"input": {0: "batch"}, "logits": {0: "batch"}} if batch == "dynamic" else None
    # Folding would turn the transposes of the weights into transposed weights.
    torch.onnx.export(model, example, path, export_params=True,
                      do_constant_folding=form != "transposed",
                      opset_version=opset, input_names=["input"], output_names=["logits"],
                      dynamic_axes=dynamic, keep_initializers_as_inputs=False,
                      training=torch.onnx.TrainingMode.TRAINING if dropout
                      else torch.onnx.TrainingMode.EVAL)
    proto = onnx.load(path)
    onnx.checker.check_model(proto)
    return proto


def summary(proto):
    ops = collections.Counter(node.op_type for node in proto.graph.node)
    params = sum(math.prod(init.dims) for init in proto.graph.initializer)
    nodes = ", ".join(f"{op} x{n}" for op, n in sorted(ops.items()))
    return f"{len(proto.graph.node)} nodes ({nodes}), {params} parameters"


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-o", "--output", required=True, help="ONNX file to write")
    parser.add_argument("--layers", default="784,500,500,500,10",
                        type=lambda s: [int(n) for n in s.split(",")],
                        help="comma-separated layer widths, input first")
    parser.add_argument("--activation",
                        choices=["relu", "tanh", "sigmoid", "leaky_relu", "hardtanh"],
                        default="relu")
    parser.add_argument("--form", choices=["gemm", "matmul", "transposed"], default="gemm")
    parser.add_argument("--flat", action="store_true",
                        help="input [N, 784] (a 784-wide first layer otherwise takes [N, 1, 28, 28])")
    parser.add_argument("--opset", type=int, choices=range(9, 18), default=13)
    parser.add_argument("--batch", default="dynamic",
                        type=lambda s: s if s == "dynamic" else int(s),
                        help="batch size, or 'dynamic' for a symbolic 'batch' axis")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--double", action="store_true", help="export in float64")
    parser.add_argument("--center", action="store_true",
                        help="subtract each sample's mean after every activation")
    parser.add_argument("--dropout", type=float, default=0.0,
                        help="Dropout of this ratio after every activation (training-mode export)")
    args = parser.parse_args()
    if len(args.layers) < 2:
        parser.error("--layers needs at least two widths")
    proto = export(args.output, args.layers, args.activation, args.form, args.opset,
                   args.batch, args.seed, args.double, args.center, args.dropout, args.flat)
    print(f"{args.output}: {summary(proto)}", file=sys.stderr)


if __name__ == "__main__":
    main()
