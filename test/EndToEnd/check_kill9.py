"""kill -9 at any moment leaves complete outputs, and --resume then gives
exactly the uninterrupted run's metrics and weights.

usage: check_kill9.py TRAINER WORK_DIR

A straight run of STEPS steps (a checkpoint at every step) is the reference.
Then runs are killed with SIGKILL after delays spread over a run's length;
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
import time

import onnx

STEPS = 24
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


def main(trainer, work):
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    straight = os.path.join(work, "straight")
    # Timed warm (the first run also loads the data set into the page cache):
    # a cold run's length put the later kills past the end of warm runs.
    subprocess.run([trainer, "--out", straight, *COMMON], check=True)
    start = time.monotonic()
    subprocess.run([trainer, "--out", straight, "--overwrite", *COMMON], check=True)
    length = time.monotonic() - start
    reference = metrics(straight)
    reference_model = open(os.path.join(straight, "model.onnx"), "rb").read()
    kills = 0
    for i in range(8):
        out = os.path.join(work, f"killed-{i}")
        process = subprocess.Popen([trainer, "--out", out, *COMMON])
        time.sleep(length * (0.1 + 0.08 * i))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            kills += 1
        process.wait()
        check_complete(out, f"kill {i}")
        subprocess.run([trainer, "--out", out, "--resume", *COMMON], check=True)
        check(metrics(out) == reference, f"kill {i}: resumed metrics differ from the straight run")
        check(open(os.path.join(out, "model.onnx"), "rb").read() == reference_model,
              f"kill {i}: resumed model.onnx differs from the straight run")
    check(kills >= 4, f"only {kills} runs were still going when killed")
    print(f"{kills} runs killed with SIGKILL and resumed: outputs complete, results identical")


if __name__ == "__main__":
    main(*sys.argv[1:])
