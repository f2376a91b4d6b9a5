#!/usr/bin/env python3
"""Write the ONNX fixtures of the frontend tests into the directory given as argv[1]."""
import pathlib
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[3] / "models"))
import mlp  # noqa: E402

FLOAT = TensorProto.FLOAT


def tensor(name, shape, scale=0.1):
    """A deterministic float initializer: arange centred on zero and scaled."""
    values = np.arange(np.prod(shape), dtype=np.float32).reshape(shape)
    return numpy_helper.from_array(scale * (values - values.size / 2), name)


def value(name, shape, elem_type=FLOAT):
    return helper.make_tensor_value_info(name, elem_type, shape)


def model(nodes, inputs, outputs, initializers, opset):
    graph = helper.make_graph(nodes, "fixture", inputs, outputs, initializers)
    return helper.make_model(graph, producer_name="marthe-fixtures",
                             opset_imports=[helper.make_opsetid("", opset)])


def tiny_gemm(opset=13):
    return model(
        [helper.make_node("Gemm", ["x", "w", "b"], ["h"], "fc", alpha=1.0, beta=1.0, transB=1),
         helper.make_node("Relu", ["h"], ["y"], "relu")],
        [value("x", [2, 3])], [value("y", [2, 4])],
        [tensor("w", [4, 3]), tensor("b", [4], 0.05)], opset)


def tiny_matmul():
    return model(
        [helper.make_node("MatMul", ["x", "w"], ["m"], "matmul"),
         helper.make_node("Add", ["m", "b"], ["a"], "add"),
         helper.make_node("Tanh", ["a"], ["t"], "tanh"),
         helper.make_node("Identity", ["t"], ["y"], "identity")],
        [value("x", [2, 3])], [value("y", [2, 4])],
        [tensor("w", [3, 4]), tensor("b", [4], 0.05)], 15)


def gemm_attrs():
    return model(
        [helper.make_node("Gemm", ["x", "w", "b"], ["y"], "fc",
                          alpha=0.5, beta=2.0, transA=1, transB=0)],
        [value("x", [3, 2])], [value("y", [2, 4])],
        [tensor("w", [3, 4]), tensor("b", [4], 0.05)], 13)


def reshape_const():
    shape = numpy_helper.from_array(np.array([2, 4], dtype=np.int64), "shape_value")
    return model(
        [helper.make_node("Constant", [], ["shape"], "shape", value=shape),
         helper.make_node("Reshape", ["x", "shape"], ["r"], "reshape"),
         helper.make_node("Gemm", ["r", "w", "b"], ["y"], "fc", transB=1)],
        [value("x", [2, 1, 2, 2])], [value("y", [2, 5])],
        [tensor("w", [5, 4]), tensor("b", [5], 0.05)], 14)


def unsupported_op():
    return model(
        [helper.make_node("Gemm", ["x", "w"], ["h"], "fc", transB=1),
         helper.make_node("Softmax", ["h"], ["y"], "probs", axis=1)],
        [value("x", [2, 4])], [value("y", [2, 3])],
        [tensor("w", [3, 4])], 13)


def int_input():
    return model(
        [helper.make_node("Identity", ["x"], ["y"], "identity")],
        [value("x", [2, 3], TensorProto.INT64)], [value("y", [2, 3], TensorProto.INT64)],
        [], 13)


def output_3d():
    """Valid ONNX whose output is no [batch, classes] matrix: inference only."""
    return model(
        [helper.make_node("Add", ["x", "b"], ["h"], "bias"),
         helper.make_node("Relu", ["h"], ["y"], "relu")],
        [value("x", [2, 5, 4])], [value("y", [2, 5, 4])],
        [tensor("b", [4], 0.05)], 13)


def raw_tensor(name, dims, values):
    """A FLOAT TensorProto stored as given, unchecked."""
    t = TensorProto(name=name, data_type=FLOAT)
    t.dims.extend(dims)
    t.float_data.extend(values)
    return t


def malformed():
    """Models that parse but are wrong; the checker is not run on them."""
    short_constant = model(
        [helper.make_node("Constant", [], ["c"], value=raw_tensor("c", [4], [1.0, 2.0])),
         helper.make_node("Add", ["x", "c"], ["y"], "add")],
        [value("x", [2, 4])], [value("y", [2, 4])], [], 13)
    negative_dim = model(
        [helper.make_node("MatMul", ["x", "w"], ["y"], "mm")],
        [value("x", [2, 4])], [value("y", [2, 3])],
        [raw_tensor("w", [4, -3], [])], 13)
    two_inferred = model(
        [helper.make_node("Reshape", ["x", "shape"], ["y"], "reshape")],
        [value("x", [2, 4])], [value("y", [2, 4])],
        [helper.make_tensor("shape", TensorProto.INT64, [2], [-1, -1])], 13)
    return {"short_constant": short_constant, "negative_dim": negative_dim,
            "two_inferred": two_inferred}


def main():
    out = pathlib.Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    valid = {
        "tiny_gemm": tiny_gemm(),
        "tiny_matmul": tiny_matmul(),
        "gemm_attrs": gemm_attrs(),
        "reshape_const": reshape_const(),
        "unsupported_op": unsupported_op(),
        "bad_opset": tiny_gemm(opset=7),
        "int_input": int_input(),
        "output_3d": output_3d(),
    }
    for name, proto in valid.items():
        onnx.checker.check_model(proto, full_check=True)
        onnx.save(proto, out / f"{name}.onnx")
    for name, proto in malformed().items():
        onnx.save(proto, out / f"{name}.onnx")
    data = valid["tiny_gemm"].SerializeToString()
    (out / "truncated.onnx").write_bytes(data[:len(data) // 2])
    (out / "not_onnx.onnx").write_text("this is not an onnx model\n")
    mlp.export(str(out / "torch_mlp.onnx"), [6, 5, 3], "relu", "gemm", opset=17, batch=4)


if __name__ == "__main__":
    main()
