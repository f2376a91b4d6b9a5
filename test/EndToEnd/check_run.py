"""Runs a compiled trainer and checks its outputs.

usage: check_run.py TRAINER MODEL OUT_DIR

- the training loss falls and accuracy is far above chance (10 classes);
- metrics.csv has one row per step with finite eta >= 0, mu in [0, 1], beta >= 0;
- schedule.svg plots eta, mu, beta, loss and val_loss, with ticks on both
  axes of every panel, and rsvg-convert renders it;
- model.onnx keeps the graph, marks itself trained, and evaluated with numpy on
  the test split gives the test accuracy that summary.json reports.
"""
import csv
import json
import math
import subprocess
import sys

import numpy as np
import onnx
from onnx import numpy_helper

import fashion_mnist



def numpy_logits(model, images):
    values = {init.name: numpy_helper.to_array(init) for init in model.graph.initializer}
    values[model.graph.input[0].name] = images
    for node in model.graph.node:
        x = [values[name] for name in node.input]
        if node.op_type == "Flatten":
            y = x[0].reshape(x[0].shape[0], -1)
        elif node.op_type == "MatMul":
            y = x[0] @ x[1]
        elif node.op_type == "Gemm":
            y = x[0] @ x[1].T + x[2]
        elif node.op_type == "Add":
            y = x[0] + x[1]
        elif node.op_type == "Relu":
            y = np.maximum(x[0], 0)
        else:
            raise SystemExit(f"check_run.py: unexpected node {node.op_type}")
        values[node.output[0]] = y
    return values[model.graph.output[0].name]


def main(trainer, model_path, out):
    subprocess.run([trainer, "--out", out, "--quiet", "--overwrite"], check=True)
    with open(f"{out}/metrics.csv") as f:
        rows = list(csv.DictReader(f))
    summary = json.load(open(f"{out}/summary.json"))
    steps = summary["steps"]
    assert len(rows) == steps, f"{len(rows)} metric rows for {steps} steps"
    for row in rows:
        eta, mu, beta = float(row["eta"]), float(row["mu"]), float(row["beta"])
        assert math.isfinite(eta) and eta >= 0, row
        assert 0 <= mu <= 1 and beta >= 0, row
    losses = [float(r["loss"]) for r in rows]
    first, last = np.mean(losses[:8]), np.mean(losses[-8:])
    assert last < 0.7 * first, f"training loss did not fall: {first:.3f} -> {last:.3f}"
    assert summary["test_acc"] > 0.6, f"test accuracy {summary['test_acc']}"
    assert summary["val_acc"] > 0.6, f"validation accuracy {summary['val_acc']}"

    with open(f"{out}/schedule.svg") as f:
        svg = f.read()
    assert svg.startswith("<svg") and svg.count("<polyline") == 5, "schedule.svg"
    panels = svg.count("<rect x=")
    value_ticks = svg.count("text-anchor='end'")
    step_ticks = svg.count("text-anchor='middle'") - 1  # the axis title
    assert value_ticks >= 3 * panels and step_ticks >= 3 * panels, (panels, value_ticks, step_ticks)
    render = subprocess.run(["rsvg-convert", "-o", f"{out}/schedule.png", f"{out}/schedule.svg"],
                            capture_output=True, text=True)
    assert render.returncode == 0 and not render.stderr.strip(), render.stderr

    source, trained = onnx.load(model_path), onnx.load(f"{out}/model.onnx")
    assert [n.op_type for n in trained.graph.node] == [n.op_type for n in source.graph.node]
    assert {p.key: p.value for p in trained.metadata_props}.get("marthe.trained") == "true"
    changed = [not np.array_equal(numpy_helper.to_array(a), numpy_helper.to_array(b))
               for a, b in zip(source.graph.initializer, trained.graph.initializer)]
    assert all(changed), "some initializers were not trained"
    images, labels = fashion_mnist.load("test")
    accuracy = float(np.mean(numpy_logits(trained, images).argmax(1) == labels))
    assert abs(accuracy - summary["test_acc"]) < 2e-3, (accuracy, summary["test_acc"])
    print(f"e2e: loss {first:.3f} -> {last:.3f}, test accuracy {accuracy:.4f} "
          f"(numpy) vs {summary['test_acc']:.4f} (marthe)")


if __name__ == "__main__":
    main(*sys.argv[1:])
