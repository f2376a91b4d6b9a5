"""Writes x [2, 3] (op) c where c is an initializer of the given shape.

usage: broadcast_model.py OUT.onnx DIM [DIM...]
"""
import sys

import numpy
from onnx import TensorProto, helper, numpy_helper

out, shape = sys.argv[1], [int(d) for d in sys.argv[2:]]
weight = numpy_helper.from_array(numpy.ones(shape, numpy.float32), "c")
# The broadcast shape, or x's where there is none (shape inference refuses it).
try:
    y_shape = list(numpy.broadcast_shapes((2, 3), tuple(shape)))
except ValueError:
    y_shape = [2, 3]
graph = helper.make_graph(
    [helper.make_node("Mul", ["x", "c"], ["y"], "scale")], "broadcast",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, y_shape)], [weight])
open(out, "wb").write(
    helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]).SerializeToString())
