"""Turns an ONNX backend node test into a model marthe can import.

usage: prepare_node_test.py NODE_TEST_DIR OUT_DIR

Every graph input but the first becomes an initializer holding the test's
value for it, so that the first input is the model's data input. Models of
opsets 7 to 12 (ONNX's convolution and pooling tests) stay as they are:
marthe-compile upgrades them with ONNX's version converter. One of an opset
below 7, which marthe refuses, is declared opset 13: the listed tests use ops
whose float semantics did not change since (GlobalAveragePool-1).
The tests of ops that only move values (Pad's edge and reflect modes) hold
int32 data: it becomes float32, which holds those values exactly.
Graph outputs after the first are dropped (the node's statistics outputs).
Writes OUT_DIR/model.onnx and copies input_0.pb and output_0.pb beside it.
"""
import os
import shutil
import sys

import numpy
import onnx
from onnx import numpy_helper

MOVES_INTEGERS = {"test_edge_pad", "test_reflect_pad"}


def as_float(value_info):
    value_info.type.tensor_type.elem_type = onnx.TensorProto.FLOAT


def copy_data(source, target, to_float):
    if not to_float:
        shutil.copyfile(source, target)
        return
    tensor = onnx.TensorProto()
    with open(source, "rb") as f:
        tensor.ParseFromString(f.read())
    array = numpy_helper.to_array(tensor).astype(numpy.float32)
    with open(target, "wb") as f:
        f.write(numpy_helper.from_array(array, tensor.name).SerializeToString())


def main(test_dir, out_dir):
    model = onnx.load(os.path.join(test_dir, "model.onnx"))
    data = os.path.join(test_dir, "test_data_set_0")
    graph = model.graph
    for k, value_info in enumerate(list(graph.input)[1:], start=1):
        tensor = onnx.TensorProto()
        with open(os.path.join(data, f"input_{k}.pb"), "rb") as f:
            tensor.ParseFromString(f.read())
        tensor.name = value_info.name
        graph.initializer.append(tensor)
    to_float = os.path.basename(os.path.normpath(test_dir)) in MOVES_INTEGERS
    if to_float:
        as_float(graph.input[0])
        as_float(graph.output[0])
    # Outputs beyond the first are statistics (LayerNormalization's Mean and
    # InvStdDev) that are not values for marthe: the test checks output 0.
    del graph.output[1:]
    for opset in model.opset_import:
        if opset.domain in ("", "ai.onnx") and opset.version < 7:
            opset.version = 13
    os.makedirs(out_dir, exist_ok=True)
    onnx.save(model, os.path.join(out_dir, "model.onnx"))
    for name in ("input_0.pb", "output_0.pb"):
        copy_data(os.path.join(data, name), os.path.join(out_dir, name), to_float)


if __name__ == "__main__":
    main(*sys.argv[1:])
