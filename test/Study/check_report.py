#!/usr/bin/env python3
"""Runs the Section-5 study in --quick mode and checks its report.

usage: check_report.py BUILD_DIR OUT_DIR

The report must have one table row per method and setting the study runs,
each with accuracies "mean ± std" in [0, 1] and a diverged count over the
seeds; the seed-by-seed table of the default against constant eta; the
summary line; and two SVG plots, each a valid XML document with one line
(polyline with points) per method plotted.
"""
import os
import re
import subprocess
import sys

from report_checks import NUMBER, ROOT, check_plot, fail
import paper_section5  # noqa: E402  (on the path report_checks sets)

SEEDS = 2


def check_table(text):
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    expected = [(m, s) for m, s, _, _ in paper_section5.settings(quick=True)]
    table = [r.strip("|").split(" | ") for r in rows
             if r.split(" | ")[0].strip("| ") in {m for m, _ in expected}]
    if [(cells[0].strip(), cells[1].strip()) for cells in table] != expected:
        fail(f"table rows {[(c[0], c[1]) for c in table]} are not the settings {expected}")
    for cells in table:
        for cell in cells[2:4]:
            match = re.fullmatch(NUMBER, cell.strip())
            if not match or not 0 <= float(match.group(1)) <= 1:
                fail(f"accuracy cell '{cell}' is not a mean ± std in [0, 1]")
        if not re.fullmatch(rf"[0-9]+/{SEEDS}", cells[4].strip()):
            fail(f"diverged cell '{cells[4]}' is not a count over {SEEDS} seeds")
    seed_rows = [r for r in rows if re.match(r"\| [0-9]+ \| ", r)]
    if len(seed_rows) != SEEDS:
        fail(f"{len(seed_rows)} seed rows, expected {SEEDS}")
    if not re.search(r"Default: mean validation accuracy [0-9.]+ \(target ≥ 0.74\); below the "
                     rf"constant-eta run of its seed in [0-9]+ of {SEEDS} seeds", text):
        fail("no summary line for the default")


def main(build, out):
    subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "paper_section5.py"), "--quick",
                    "--build", build, "--out", out, "--seeds", str(SEEDS)], check=True)
    with open(os.path.join(out, "report.md")) as f:
        check_table(f.read())
    methods = {m for m, _, _, _ in paper_section5.settings(quick=True)}
    check_plot(os.path.join(out, "eta_schedules.svg"), len(methods))
    check_plot(os.path.join(out, "accuracy_vs_beta.svg"), 4)
    print("report structure OK")


if __name__ == "__main__":
    main(*sys.argv[1:])
