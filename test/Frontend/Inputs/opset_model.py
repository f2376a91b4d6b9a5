"""Writes a small model (Transpose, Gemm, LeakyRelu) at a given opset.

usage: opset_model.py OPSET OUT.onnx
"""
import sys

import numpy
from onnx import TensorProto, helper, numpy_helper

opset, out = int(sys.argv[1]), sys.argv[2]
weight = numpy_helper.from_array(numpy.full((4, 3), 0.1, numpy.float32), "w")
graph = helper.make_graph(
    [helper.make_node("Transpose", ["x"], ["xt"], "swap", perm=[1, 0]),
     helper.make_node("Transpose", ["xt"], ["x2"], "back", perm=[1, 0]),
     helper.make_node("Gemm", ["x2", "w"], ["h"], "fc"),
     helper.make_node("LeakyRelu", ["h"], ["y"], "act", alpha=0.2)],
    "opset_model", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 4])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 3])], [weight])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
model.ir_version = 8
open(out, "wb").write(model.SerializeToString())
