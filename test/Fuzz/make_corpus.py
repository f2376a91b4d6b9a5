#!/usr/bin/env python3
"""Writes the seed corpus of the fuzz targets into corpus/: small ONNX models
that cover the importer's ops and shape folding, the example configs, and
checkpoints (valid and cut short). The corpus is committed; rerun this after
changing the formats.

usage: make_corpus.py [OUT_DIR]
"""
import os
import shutil
import struct
import sys
import zlib

import numpy as np
from onnx import TensorProto, helper, numpy_helper, shape_inference

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
FLOAT = TensorProto.FLOAT


def floats(name, shape):
    return numpy_helper.from_array(np.linspace(-1, 1, int(np.prod(shape)), dtype=np.float32)
                                   .reshape(shape), name)


def ints(name, values):
    return numpy_helper.from_array(np.array(values, np.int64), name)


def model(nodes, x_shape, inits, opset=13, y_shape=None):
    graph = helper.make_graph(nodes, "seed", [helper.make_tensor_value_info("x", FLOAT, x_shape)],
                              [helper.make_tensor_value_info("y", FLOAT, y_shape)], inits)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 8
    # The output's shape, which ONNX's checker requires, by inference.
    m = shape_inference.infer_shapes(m, strict_mode=True, data_prop=True)
    return m.SerializeToString()


def onnx_seeds():
    n = helper.make_node
    yield "mlp", model([n("Flatten", ["x"], ["f"]), n("Gemm", ["f", "w1", "b1"], ["h"], transB=1),
                        n("Relu", ["h"], ["r"]), n("Gemm", ["r", "w2"], ["y"], alpha=0.5)],
                       ["N", 1, 2, 2], [floats("w1", [3, 4]), floats("b1", [3]), floats("w2", [3, 2])])
    yield "conv", model([n("Conv", ["x", "k", "kb"], ["c"], pads=[1, 1, 1, 1]),
                         n("BatchNormalization", ["c", "s", "b", "m", "v"], ["bn"]),
                         n("MaxPool", ["bn"], ["p"], kernel_shape=[2, 2], strides=[2, 2]),
                         n("GlobalAveragePool", ["p"], ["g"]), n("Flatten", ["g"], ["f"]),
                         n("MatMul", ["f", "w"], ["y"])],
                        ["N", 1, 4, 4], [floats("k", [2, 1, 3, 3]), floats("kb", [2]),
                                         floats("s", [2]), floats("b", [2]), floats("m", [2]),
                                         numpy_helper.from_array(np.ones(2, np.float32), "v"),
                                         floats("w", [2, 3])], opset=15)
    yield "view", model([n("Shape", ["x"], ["s"]), n("Gather", ["s", "zero"], ["b"], axis=0),
                         n("Unsqueeze", ["b", "axes"], ["bu"]), n("Concat", ["bu", "minus"], ["t"], axis=0),
                         n("Reshape", ["x", "t"], ["r"]), n("Gemm", ["r", "w"], ["y"])],
                        ["N", 2, 2], [ints("zero", 0), ints("axes", [0]), ints("minus", [-1]),
                                      floats("w", [4, 2])], y_shape=["N", 2])
    yield "pad", model([n("Pad", ["x", "pads"], ["p"], mode="reflect"),
                        n("AveragePool", ["p"], ["a"], kernel_shape=[2, 2]),
                        n("Flatten", ["a"], ["f"]), n("Gemm", ["f", "w"], ["y"])],
                       ["N", 1, 3, 3], [ints("pads", [0, 0, 1, 1, 0, 0, 1, 1]), floats("w", [16, 2])])
    yield "ops", model([n("Tanh", ["x"], ["t"]), n("Sigmoid", ["t"], ["s"]), n("Mul", ["s", "w"], ["m"]),
                        n("Clip", ["m", "lo", "hi"], ["c"]), n("LeakyRelu", ["c"], ["l"], alpha=0.1),
                        n("Dropout", ["l"], ["d"]), n("ReduceMean", ["d"], ["r"], axes=[2], keepdims=0),
                        n("Transpose", ["r"], ["tr"], perm=[0, 1]), n("Sub", ["tr", "w2"], ["y"])],
                       ["N", 2, 3], [floats("w", [3]), numpy_helper.from_array(np.float32(-1), "lo"),
                                     numpy_helper.from_array(np.float32(1), "hi"), floats("w2", [2])])
    yield "conv1d", model([n("Conv", ["x", "k"], ["c"], pads=[1, 2], strides=[2], group=2),
                           n("MaxPool", ["c"], ["p"], kernel_shape=[2]),
                           n("Softmax", ["p"], ["s"], axis=1), n("Concat", ["p", "s"], ["j"], axis=1),
                           n("Flatten", ["j"], ["f"]), n("Gemm", ["f", "w"], ["y"])],
                          ["N", 2, 5], [floats("k", [4, 1, 3]), floats("w", [16, 2])])


def regression_seeds():
    """Inputs the fuzzer found: kept so that every run replays them."""
    n = helper.make_node
    graph = helper.make_graph([n("Conv", ["x", "k"], ["y"], pads=[1, 1, 1, 1])], "conv_rank",
                              [helper.make_tensor_value_info("x", FLOAT, ["N", 1])],
                              [helper.make_tensor_value_info("y", FLOAT, ["N", 2, 1, 1])],
                              [floats("k", [2, 1, 3, 3])])
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 15)])
    m.ir_version = 8
    yield "conv-rank-crash", m.SerializeToString()


def checkpoint(build, options, rows, tensors):
    def blob(data):
        return struct.pack("<Q", len(data)) + data
    body = b"MARTHE-CHECKPOINT 4\n" + blob(build) + blob(options)
    body += struct.pack("<qd", len(rows), 1e-5) + struct.pack("<Q", 1) + struct.pack("<qqdd", 1, 0, 1e-5, 1e-6)
    body += struct.pack("<d", 0.5) + struct.pack("<Q", len(rows))
    for row in rows:
        body += blob(struct.pack("<12d", *row))
    body += struct.pack("<Q", len(tensors))
    for role, values in tensors:
        body += blob(role.encode()) + blob(struct.pack(f"<{len(values)}f", *values))
    return body + struct.pack("<I", zlib.crc32(body))


def main(out):
    for sub in ("importer", "config", "checkpoint"):
        shutil.rmtree(os.path.join(out, sub), ignore_errors=True)
        os.makedirs(os.path.join(out, sub))
    for name, data in [*onnx_seeds(), *regression_seeds()]:
        open(os.path.join(out, "importer", name + ".onnx"), "wb").write(data)
    configs = [os.path.join(ROOT, "models", "train.toml")]
    inputs = os.path.join(ROOT, "test", "Frontend", "Inputs")
    configs += [os.path.join(inputs, f) for f in sorted(os.listdir(inputs)) if f.endswith(".toml")]
    for path in configs:
        shutil.copy(path, os.path.join(out, "config", os.path.basename(path)))
    # Found by the fuzzer: toml++ asserted on a table name that starts with no key character.
    open(os.path.join(out, "config", "control-char-crash.toml"), "wb").write(b"[\x01schedule]\nkind = 1\n")
    open(os.path.join(out, "config", "table-name-crash.toml"), "wb").write(b"[ #run]\nsteps = 1\n")
    # And: its whitespace test reached __builtin_unreachable on U+FCFF after a value.
    open(os.path.join(out, "config", "non-ascii-crash.toml"), "wb").write(
        "[run]\nsteps = 1 \ufcff\nout = \"r\u00e9\" # \u00e9\n".encode())
    # ... and after a quote inside a value ("6'+8" is no string to toml++).
    open(os.path.join(out, "config", "quote-in-value-crash.toml"), "wb").write(
        "sdat=6\nonh1t=6'+84439108\u02a3emuee6!".encode())
    open(os.path.join(out, "config", "triple-quote-crash.toml"), "wb").write(
        b"h1tsdathnh1t=6'+844=\'\'\'+1'1t=6'+\xc5\x9ae6+0e=6!6e=8'6!")
    row = [0, 2.3, 2.3, 0.1, 0.01, 0.9, 1e-4, 0.5, 1e-5, 0.1, 0.2, 0.01]
    valid = checkpoint(b"00112233445566778899aabbccddeeff", b'{"eta0": 0.01}', [row],
                       [("param:w", [0.5, -0.5]), ("eta", [0.01])])
    seeds = {"valid.bin": valid, "short.bin": valid[:40], "flipped.bin": valid[:30] + b"\x01" + valid[31:]}
    for name, data in seeds.items():
        open(os.path.join(out, "checkpoint", name), "wb").write(data)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "corpus"))
