"""Writes a one-node ONNX model of a convolutional op for the importer tests.

usage: window_model.py KIND OUT.onnx

KIND: conv_same (Conv, auto_pad SAME_UPPER, stride 2, groups 2, bias),
maxpool_ceil, avgpool_pads (count_include_pad 0), batchnorm_training,
conv1d, conv3d, pad_nonzero, pad_wrap (opset 19), pad_reflect, pad_reflect_far, pad_symmetric, maxpool_indices, dropout_training (on [2, 4], ratio 0.25
as a Constant node, training_mode true, then a Gemm).
"""
import sys

import numpy
from onnx import TensorProto, helper, numpy_helper

from output_shape import with_output_shape

kind, out = sys.argv[1], sys.argv[2]
rng = numpy.random.default_rng(0)


def const(name, shape):
    return numpy_helper.from_array(rng.standard_normal(shape).astype(numpy.float32), name)


x_shape, inits, outputs = [2, 4, 5, 5], [], ["y"]
if kind == "conv_same":
    inits = [const("w", [6, 2, 3, 3]), const("b", [6])]
    node = helper.make_node("Conv", ["x", "w", "b"], ["y"], "conv", auto_pad="SAME_UPPER",
                            strides=[2, 2], group=2)
elif kind == "maxpool_ceil":
    node = helper.make_node("MaxPool", ["x"], ["y"], "pool", kernel_shape=[2, 2],
                            strides=[2, 2], ceil_mode=1)
elif kind == "avgpool_pads":
    node = helper.make_node("AveragePool", ["x"], ["y"], "pool", kernel_shape=[3, 3],
                            pads=[1, 1, 1, 1], strides=[2, 2])
elif kind == "batchnorm_training":
    inits = [const("scale", [4]), const("bias", [4]),
             numpy_helper.from_array(numpy.zeros(4, numpy.float32), "mean"),
             numpy_helper.from_array(numpy.ones(4, numpy.float32), "var")]
    node = helper.make_node("BatchNormalization", ["x", "scale", "bias", "mean", "var"],
                            ["y", "mean_out", "var_out"], "bn", momentum=0.8, training_mode=1)
elif kind == "dropout_training":
    x_shape = [2, 4]
    ratio = helper.make_node("Constant", [], ["ratio"], "ratio",
                             value=numpy_helper.from_array(numpy.array(0.25, numpy.float32)))
    training = helper.make_node("Constant", [], ["training"], "training",
                                value=helper.make_tensor("t", TensorProto.BOOL, [], [True]))
    inits = [const("w", [3, 4])]
    node = [ratio, training,
            helper.make_node("Dropout", ["x", "ratio", "training"], ["d", "mask"], "drop"),
            helper.make_node("Gemm", ["d", "w"], ["y"], "fc", transB=1)]
elif kind == "conv1d":
    x_shape, inits = [2, 4, 9], [const("w", [6, 2, 3])]
    node = helper.make_node("Conv", ["x", "w"], ["y"], "conv1d", strides=[2], pads=[1, 2],
                            dilations=[2], group=2)
elif kind == "conv3d":
    x_shape, inits = [2, 4, 5, 5, 5], [const("w", [3, 4, 3, 3, 3])]
    node = helper.make_node("Conv", ["x", "w"], ["y"], "conv3d")
elif kind == "pad_nonzero":
    inits = [numpy_helper.from_array(numpy.array([0, 0, 1, 1, 0, 0, 1, 1], numpy.int64), "pads")]
    node = helper.make_node("Pad", ["x", "pads"], ["y"], "pad")
elif kind == "pad_wrap":
    inits = [numpy_helper.from_array(numpy.array([0, 0, 0, 0, 0, 0, 2, 0], numpy.int64), "pads")]
    node = helper.make_node("Pad", ["x", "pads"], ["y"], "pad", mode="wrap")
elif kind in ("pad_reflect", "pad_reflect_far", "pad_symmetric"):
    amounts = {"pad_reflect": [0, 0, 2, 0, 0, 0, 0, 1], "pad_reflect_far": [0, 0, 5, 0, 0, 0, 0, 0],
               "pad_symmetric": [0, 0, 1, 1, 0, 0, 1, 1]}[kind]
    inits = [numpy_helper.from_array(numpy.array(amounts, numpy.int64), "pads")]
    node = helper.make_node("Pad", ["x", "pads"], ["y"], "pad",
                            mode="symmetric" if kind == "pad_symmetric" else "reflect")
elif kind == "maxpool_indices":
    outputs = ["y", "indices"]
    node = helper.make_node("MaxPool", ["x"], ["y", "indices"], "pool", kernel_shape=[2, 2])
else:
    sys.exit(f"unknown kind {kind}")

graph = helper.make_graph(
    node if isinstance(node, list) else [node], kind, [helper.make_tensor_value_info("x", TensorProto.FLOAT, x_shape)],
    [helper.make_tensor_value_info(o, TensorProto.FLOAT, None) for o in outputs][:1], inits)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 19 if kind == "pad_wrap" else 17)])
model.ir_version = 8
model = with_output_shape(model)
open(out, "wb").write(model.SerializeToString())
