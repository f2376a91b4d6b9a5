"""Compares two training runs' outputs: metrics.csv (every column but the
wall time, relative to 1e-8) and the trained weights of model.onnx
(normwise relative error per initializer within TOLERANCE).

usage: compare_runs.py RUN_A RUN_B TOLERANCE
"""
import csv
import sys

import numpy
import onnx
from onnx import numpy_helper


def metrics(run):
    with open(f"{run}/metrics.csv") as f:
        rows = list(csv.reader(f))
    assert rows[0][-1] == "seconds", rows[0]
    return [[float(v) for v in row[:-1]] for row in rows[1:]]


def weights(run):
    model = onnx.load(f"{run}/model.onnx")
    return {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}


def main(a, b, tolerance):
    rows_a, rows_b = numpy.array(metrics(a)), numpy.array(metrics(b))
    assert rows_a.shape == rows_b.shape, (rows_a.shape, rows_b.shape)
    same_nan = numpy.isnan(rows_a) == numpy.isnan(rows_b)
    close = numpy.isclose(rows_a, rows_b, rtol=1e-8, atol=0, equal_nan=True)
    if not (same_nan.all() and close.all()):
        sys.exit(f"metrics differ at rows {sorted(set(numpy.nonzero(~close)[0]))[:5]}")
    wa, wb = weights(a), weights(b)
    assert wa.keys() == wb.keys()
    for name in wa:
        error = numpy.abs(wa[name] - wb[name]).max() / numpy.abs(wb[name]).max()
        if error > tolerance:
            sys.exit(f"{name}: relative error {error:.3g} above {tolerance:g}")
    print(f"{len(rows_a)} metrics rows and {len(wa)} initializers agree")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], float(sys.argv[3]))
