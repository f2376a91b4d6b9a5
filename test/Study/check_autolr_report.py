#!/usr/bin/env python3
"""Runs the automatic-LR benchmark in --quick mode and checks its report.

usage: check_autolr_report.py BUILD_DIR OUT_DIR

Every task has one table row per method (marthe's default, each peer at its
package's defaults, Adam, the paper's MARTHE) with accuracies "mean ± std" in
[0, 1], a rollback mean, a diverged count over the seeds and ms per step; a
verdict row per task compares the default with the best peer; each task's
eta and d plots are valid SVG with one line per method plotted (d: Prodigy's
and D-Adaptation's).
"""
import os
import re
import subprocess
import sys

from report_checks import NUMBER, ROOT, check_plot, fail
import autolr_benchmark  # noqa: E402  (on the path report_checks sets)

SEEDS = 2


def check_task(text, task):
    section = text.split(f"## {task}\n", 1)[1].split("\n## ", 1)[0]
    rows = [r.strip("|").split(" | ") for r in section.splitlines() if r.startswith("| ")][1:]
    names = [cells[0].strip() for cells in rows]
    expected = [m for m, _ in autolr_benchmark.METHODS]
    if names != expected:
        fail(f"{task}: table rows {names}, expected {expected}")
    for cells in rows:
        for cell in cells[1:3]:
            match = re.fullmatch(NUMBER, cell.strip())
            if not match or not 0 <= float(match.group(1)) <= 1:
                fail(f"{task}: accuracy cell '{cell}' is not a mean ± std in [0, 1]")
        if not re.fullmatch(rf"[0-9]+/{SEEDS}", cells[4].strip()):
            fail(f"{task}: diverged cell '{cells[4]}' is not a count over {SEEDS} seeds")
        if float(cells[5]) <= 0:
            fail(f"{task}: ms per step '{cells[5]}'")


def main():
    build, out = sys.argv[1:]
    subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "autolr_benchmark.py"),
                    "--build", build, "--out", out, "--quick", "--seeds", str(SEEDS)], check=True)
    with open(os.path.join(out, "report.md")) as f:
        text = f.read()
    for task in ("mlp", "cnn_bn", "rows1d"):
        check_task(text, task)
        check_plot(os.path.join(out, f"{task}_eta.svg"), len(autolr_benchmark.METHODS))
        check_plot(os.path.join(out, f"{task}_d.svg"), 2)
        if not re.search(rf"\| {task} \| [0-9.]+ \| [a-z_]+ \(package defaults\) \| [0-9.]+ \| "
                         r"(yes|no) \|", text):
            fail(f"no verdict row for {task}")
    print("autolr benchmark report: every task, method, verdict and plot present")


if __name__ == "__main__":
    main()
