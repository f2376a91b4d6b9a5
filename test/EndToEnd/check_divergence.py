#!/usr/bin/env python3
"""Divergence and rollback, end to end, on the e2e MLP trainer (MARTHE, SGD).

usage: check_divergence.py TRAINER OUT_DIR

- beta_step = "auto" started far too high (1): every divergence rolls the run
  back to a snapshot, cuts beta_step by 10 and continues. summary.json lists
  each rollback (step, where it resumed, beta_step before and after);
  metrics.csv has one row per step 0..N-1, each with the beta_step in effect,
  and the run completes.
- A constant schedule with an absurd eta0 diverges, exits 1 with a message
  naming the setting to lower, and still writes its outputs (summary.json
  with the divergence, model.onnx, metrics.csv up to the last snapshot).
"""
import csv
import json
import math
import os
import subprocess
import sys


def run(trainer, out, *args):
    result = subprocess.run([trainer, "--out", out, "--overwrite", *args], capture_output=True,
                            text=True)
    with open(os.path.join(out, "summary.json")) as f:
        summary = json.load(f)
    with open(os.path.join(out, "metrics.csv")) as f:
        rows = list(csv.DictReader(f))
    return result, summary, rows


def check(condition, message):
    if not condition:
        sys.exit("FAIL: " + message)


def rollbacks(trainer, out):
    result, summary, rows = run(trainer, out, "--beta-step-start", "1", "--steps", "64")
    check(result.returncode == 0, f"auto run exited {result.returncode}: {result.stderr}")
    cuts = summary["rollbacks"]
    check(len(cuts) >= 1, "no rollback although beta_step started at 1")
    for before, after in zip(cuts, cuts[1:]):
        check(after["beta_step_before"] == before["beta_step_after"], "rollbacks do not chain")
    for cut in cuts:
        check(math.isclose(cut["beta_step_after"], cut["beta_step_before"] / 10, rel_tol=1e-12),
              f"beta_step not cut by 10: {cut}")
        check(0 <= cut["resumed_at"] <= cut["step"], f"resumed after the divergence: {cut}")
        check(f"step {cut['step'] + 1}: training diverged" in result.stderr,
              f"no log line for the divergence at step {cut['step'] + 1}")
    check([int(r["step"]) for r in rows] == list(range(64)), "metrics.csv rows are not 0..63")
    last = cuts[-1]
    for r in rows[last["resumed_at"]:]:
        check(float(r["beta_step"]) == last["beta_step_after"],
              f"row {r['step']} has beta_step {r['beta_step']}, not {last['beta_step_after']}")
    check(summary["beta_step"] == last["beta_step_after"] and summary["steps_done"] == 64,
          "summary does not end with the last cut")
    check("diverged" not in summary, "the auto run reports a divergence it recovered from")
    print(f"auto: {len(cuts)} rollbacks, beta_step 1 -> {summary['beta_step']:g}, "
          f"validation accuracy {summary['val_acc']:.4f}")


def stops(trainer, out):
    result, summary, rows = run(trainer, out, "--schedule", "constant", "--eta0", "1e4",
                                "--steps", "64")
    check(result.returncode == 1, f"a diverging constant schedule exited {result.returncode}")
    check("lower eta0 (--eta0, [schedule] eta0)" in result.stderr, result.stderr)
    check(summary["diverged"]["step"] >= 0 and summary["diverged"]["reason"], "no divergence in summary")
    check(summary["steps_done"] == len(rows), "summary and metrics.csv disagree on the steps kept")
    check(os.path.getsize(os.path.join(out, "model.onnx")) > 0, "no model written")
    check(all(math.isfinite(float(r["loss"])) for r in rows), "a kept row has a non-finite loss")
    print(f"constant eta0 = 1e4: diverged at step {summary['diverged']['step'] + 1} "
          f"({summary['diverged']['reason']}), outputs hold step {summary['steps_done']}")


def main(trainer, out):
    rollbacks(trainer, os.path.join(out, "auto"))
    stops(trainer, os.path.join(out, "constant"))


if __name__ == "__main__":
    main(*sys.argv[1:])
