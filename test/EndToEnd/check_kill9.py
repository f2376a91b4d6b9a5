"""kill -9 at any moment leaves complete outputs, and --resume then gives
exactly the uninterrupted run's metrics and weights.

usage: check_kill9.py TRAINER WORK_DIR

A straight run of STEPS steps (a checkpoint at every step) is the reference.
Then runs are killed with SIGKILL at points spread over a run: one as soon as
it starts, the others once metrics.csv has reached a given row, plus a random
part of a step (so kills land inside steps and checkpoint writes); watching
the run's progress rather than a clock keeps the kills inside the run on
machines of any speed;
after each kill every output present must be complete (metrics.csv rows of
12 numbers, summary.json parses, model.onnx parses as ONNX, no .tmp file
left renamed halfway), and `--resume` must reproduce the reference's
metrics.csv (but for the wall-time column) and model.onnx byte for byte.
"""
import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import random
import time

import onnx

STEPS = 48
KILL_ROWS = [None, 1, 3, 8, 15, 22, 30, 38]  # None: at once
COMMON = ["--steps", str(STEPS), "--log-every", "1", "--quiet"]


def check(condition, message):
    if not condition:
        sys.exit("FAIL: " + message)


def metrics(out):
    with open(os.path.join(out, "metrics.csv")) as f:
        rows = list(csv.reader(f))
    return [row[:-1] for row in rows]  # all but the wall time


def check_complete(out, when):
    path = os.path.join(out, "metrics.csv")
    if os.path.exists(path):
        with open(path) as f:
            text = f.read()
        check(text == "" or text.endswith("\n"), f"{when}: metrics.csv ends mid-line")
        for line in text.splitlines()[1:]:
            fields = line.split(",")
            check(len(fields) == 13 and all(fields), f"{when}: metrics.csv row {line!r}")
    if os.path.exists(os.path.join(out, "summary.json")):
        json.load(open(os.path.join(out, "summary.json")))
    if os.path.exists(os.path.join(out, "model.onnx")):
        onnx.load(os.path.join(out, "model.onnx"))


def wait_for_row(process, path, row):
    """Returns once metrics.csv holds `row` data rows or the run has ended."""
    while process.poll() is None:
        try:
            with open(path) as f:
                if f.read().count("\n") > row:  # the header, then a row a step
                    return
        except FileNotFoundError:
            pass
        time.sleep(0.0005)


def rows_written(out):
    path = os.path.join(out, "metrics.csv")
    return max(0, open(path).read().count("\n") - 1) if os.path.exists(path) else 0


def main(trainer, work):
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    straight = os.path.join(work, "straight")
    subprocess.run([trainer, "--out", straight, *COMMON], check=True)
    reference = metrics(straight)
    reference_model = open(os.path.join(straight, "model.onnx"), "rb").read()
    step_seconds = float(json.load(open(os.path.join(straight, "summary.json")))["ms_per_step"]) / 1000
    chance = random.Random(9)
    kills = 0
    for i, row in enumerate(KILL_ROWS):
        out = os.path.join(work, f"killed-{i}")
        process = subprocess.Popen([trainer, "--out", out, *COMMON])
        if row is not None:
            wait_for_row(process, os.path.join(out, "metrics.csv"), row)
            time.sleep(chance.uniform(0, step_seconds))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            kills += 1
        process.wait()
        print(f"kill {i}: {rows_written(out)} of {STEPS} steps logged", flush=True)
        check_complete(out, f"kill {i}")
        subprocess.run([trainer, "--out", out, "--resume", *COMMON], check=True)
        check(metrics(out) == reference, f"kill {i}: resumed metrics differ from the straight run")
        check(open(os.path.join(out, "model.onnx"), "rb").read() == reference_model,
              f"kill {i}: resumed model.onnx differs from the straight run")
    check(kills >= len(KILL_ROWS) - 1, f"only {kills} runs were still going when killed")
    print(f"{kills} runs killed with SIGKILL and resumed: outputs complete, results identical")


if __name__ == "__main__":
    main(*sys.argv[1:])
