"""Turns an ONNX backend node test into a model marthe can import.

usage: prepare_node_test.py NODE_TEST_DIR OUT_DIR

Every graph input but the first becomes an initializer holding the test's
value for it, so that the first input is the model's data input. A model of an
opset below 13 (ONNX's convolution and pooling tests) is raised to opset 13,
the oldest marthe imports: the listed tests use ops whose float semantics did
not change since (MaxPool-12 only added integer types).
Writes OUT_DIR/model.onnx and copies input_0.pb and output_0.pb beside it.
"""
import os
import shutil
import sys

import onnx


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
    for opset in model.opset_import:
        if opset.domain in ("", "ai.onnx") and opset.version < 13:
            opset.version = 13
    os.makedirs(out_dir, exist_ok=True)
    onnx.save(model, os.path.join(out_dir, "model.onnx"))
    for name in ("input_0.pb", "output_0.pb"):
        shutil.copyfile(os.path.join(data, name), os.path.join(out_dir, name))


if __name__ == "__main__":
    main(*sys.argv[1:])
