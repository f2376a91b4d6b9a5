"""Writes a small IDX data set: 200 training images of 28x28 and 60 test
images of ROWS x COLS (random bytes and labels 0..9), for data checks.

usage: make_idx_data.py DIR ROWS COLS
"""
import os
import struct
import sys

import numpy


def write_idx(path, values):
    with open(path, "wb") as f:
        f.write(struct.pack(">BBBB", 0, 0, 0x08, values.ndim))
        for dim in values.shape:
            f.write(struct.pack(">I", dim))
        f.write(values.astype(numpy.uint8).tobytes())


out, rows, cols = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = numpy.random.default_rng(0)
os.makedirs(out, exist_ok=True)
write_idx(os.path.join(out, "train-images.idx"), rng.integers(0, 256, (200, 28, 28)))
write_idx(os.path.join(out, "train-labels.idx"), rng.integers(0, 10, 200))
write_idx(os.path.join(out, "test-images.idx"), rng.integers(0, 256, (60, rows, cols)))
write_idx(os.path.join(out, "test-labels.idx"), rng.integers(0, 10, 60))
