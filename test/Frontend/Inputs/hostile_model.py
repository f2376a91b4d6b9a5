#!/usr/bin/env python3
"""Writes one hostile or broken ONNX model: the cases a fuzzer and a careless
exporter produced, each of which marthe-compile must refuse by name.

usage: hostile_model.py KIND OUT.onnx
"""
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper

kind, out = sys.argv[1], sys.argv[2]
FLOAT = TensorProto.FLOAT
w = numpy_helper.from_array(np.ones((3, 3), np.float32), "w")
x_shape, y_shape, inits = ["N", 3], ["N", 3], [w]
nodes = [helper.make_node("Gemm", ["x", "w"], ["y"], "fc")]

if kind == "reshape_overflow":
    # 2^32 * 2^32 wraps to 0 in int64.
    inits = [w, numpy_helper.from_array(np.array([2**32, 2**32, -1], np.int64), "s")]
    nodes = [helper.make_node("Gemm", ["x", "w"], ["h"], "fc"),
             helper.make_node("Reshape", ["h", "s"], ["y"], "flat")]
elif kind == "int_alpha":
    nodes = [helper.make_node("Gemm", ["x", "w"], ["y"], "fc", alpha=2)]
elif kind == "float_transb":
    nodes = [helper.make_node("Gemm", ["x", "w"], ["y"], "fc", transB=1.0)]
elif kind == "duplicate_initializer":
    inits = [w, numpy_helper.from_array(np.zeros((3, 3), np.float32), "w")]
elif kind == "produced_twice":
    nodes = [helper.make_node("Gemm", ["x", "w"], ["y"], "fc"),
             helper.make_node("Relu", ["x"], ["y"], "relu")]
elif kind == "huge_initializer":
    # Dims whose product overflows int64; no data (a fuzzer's edit of dims).
    huge = numpy_helper.from_array(np.ones((1,), np.float32), "b")
    huge.ClearField("dims")
    huge.dims.extend([2**59 + 10, 32])
    inits = [w, huge]
    nodes = [helper.make_node("Gemm", ["x", "w", "b"], ["y"], "fc")]
elif kind == "huge_batch":
    x_shape, y_shape = [2**62, 3], [2**62, 3]
elif kind == "static_batch":
    x_shape, y_shape = [1, 3], [1, 3]
elif kind == "no_parameter":
    inits = []
    nodes = [helper.make_node("Relu", ["x"], ["y"], "relu")]
elif kind == "conv_rank":
    # A 2-D input to a Conv with a 4-D weight: ONNX 1.12's shape inference
    # reads out of bounds on it (found by the importer's fuzzer).
    x_shape, y_shape = ["N", 1], ["N", 2, 1, 1]
    inits = [numpy_helper.from_array(np.ones((2, 1, 3, 3), np.float32), "k")]
    nodes = [helper.make_node("Conv", ["x", "k"], ["y"], "conv", pads=[1, 1, 1, 1])]
elif kind == "undefined_input":
    nodes = [helper.make_node("Relu", ["h"], ["y"], "relu")]
else:
    sys.exit(f"unknown kind {kind}")

graph = helper.make_graph(nodes, kind, [helper.make_tensor_value_info("x", FLOAT, x_shape)],
                          [helper.make_tensor_value_info("y", FLOAT, y_shape)], inits)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
model.ir_version = 8
open(out, "wb").write(model.SerializeToString())
