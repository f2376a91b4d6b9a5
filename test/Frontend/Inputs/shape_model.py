"""Writes an ONNX model whose Reshape or Slice takes its settings from shape
arithmetic, for the tests of the importer's integer folding.

usage: shape_model.py KIND OUT.onnx

KIND: view (x.view(x.size(0), -1) as PyTorch exports it: Shape, Gather,
Unsqueeze, Concat, Reshape), gather_out_of_range, huge_constant_of_shape,
float_slice_step (Slice of the data with step 2), float_cast (Cast of the data).
"""
import sys

import numpy
from onnx import TensorProto, helper, numpy_helper

from output_shape import with_output_shape

kind, out = sys.argv[1], sys.argv[2]


def ints(name, values):
    return numpy_helper.from_array(numpy.array(values, numpy.int64), name)


inits = [ints("zero", 0), ints("minus_one", [-1]), ints("axes0", [0])]
nodes = [helper.make_node("Shape", ["x"], ["shape"], "shape")]
if kind == "view":
    nodes += [helper.make_node("Gather", ["shape", "zero"], ["batch"], "gather", axis=0),
              helper.make_node("Unsqueeze", ["batch", "axes0"], ["batch1"], "unsqueeze"),
              helper.make_node("Concat", ["batch1", "minus_one"], ["target"], "concat", axis=0),
              helper.make_node("Reshape", ["x", "target"], ["y"], "view")]
elif kind == "gather_out_of_range":
    inits.append(ints("four", 4))
    nodes += [helper.make_node("Gather", ["shape", "four"], ["y"], "gather", axis=0)]
elif kind == "huge_constant_of_shape":
    inits.append(ints("huge", [65536, 65536]))
    nodes = [helper.make_node("ConstantOfShape", ["huge"], ["y"], "fill",
                              value=helper.make_tensor("v", TensorProto.INT64, [1], [0]))]
elif kind == "float_slice_step":
    inits += [ints("starts", [0]), ints("ends", [4]), ints("axes", [1]), ints("steps", [2])]
    nodes = [helper.make_node("Slice", ["x", "starts", "ends", "axes", "steps"], ["y"], "slice")]
elif kind == "float_cast":
    nodes = [helper.make_node("Cast", ["x"], ["y"], "cast", to=TensorProto.DOUBLE)]
else:
    sys.exit(f"unknown kind {kind}")

# The error cases' outputs: the gathered value, the fill, the cast data.
y_type, y_shape = {"gather_out_of_range": (TensorProto.INT64, []),
                   "huge_constant_of_shape": (TensorProto.INT64, [65536, 65536]),
                   "float_cast": (TensorProto.DOUBLE, [2, 4, 3, 3])
                   }.get(kind, (TensorProto.FLOAT, None))
graph = helper.make_graph(nodes, kind, [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 4, 3, 3])],
                          [helper.make_tensor_value_info("y", y_type, y_shape)], inits)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
model.ir_version = 8
model = with_output_shape(model)
open(out, "wb").write(model.SerializeToString())
