"""Accounts for every ONNX backend node test of libonnx-testdata.

usage: summary.py NODE_TESTS_DIR BUILD_DIR MARTHE_COMPILE TEST...

Each node test is prepared as for its run (prepare_node_test.py) and imported
by marthe-compile: one the importer refuses is skipped as unsupported, counted
by the reason the error gives. The listed tests (the ones built as
executables in BUILD_DIR) are run. Prints how many ran, passed and were
skipped, and the importable tests that are not run (their data input is not
float, or they have several inputs the runner cannot feed). Fails when a run
fails.
"""
import collections
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import prepare_node_test  # noqa: E402


def reason(stderr):
    for key in ("unsupported op type", "is not a supported version", "opset",
                "domain", "expected one output", "element type", "data input",
                "exactly one output", "checker", "shape inference"):
        if key in stderr:
            return key
    return "other"


def main(node_dir, build_dir, compiler, *listed):
    listed = set(listed)
    skipped, unlisted, failed = collections.Counter(), [], []
    ran = 0
    tests = sorted(t for t in os.listdir(node_dir) if t.startswith("test_"))
    with tempfile.TemporaryDirectory() as tmp:
        for test in tests:
            if test in listed:
                ran += 1
                prepared = os.path.join(build_dir, test)
                run = subprocess.run([os.path.join(build_dir, f"onnx-{test}"),
                                      os.path.join(prepared, "input_0.pb"),
                                      os.path.join(prepared, "output_0.pb")],
                                     capture_output=True, text=True)
                if run.returncode != 0:
                    failed.append(test)
                continue
            out = os.path.join(tmp, test)
            try:
                prepare_node_test.main(os.path.join(node_dir, test), out)
            except Exception:  # a test without the data this runner feeds
                skipped["no float input data"] += 1
                continue
            result = subprocess.run([compiler, os.path.join(out, "model.onnx"), "--emit=import",
                                     "-o", os.devnull], capture_output=True, text=True)
            if result.returncode != 0:
                skipped[reason(result.stderr)] += 1
            else:
                unlisted.append(test)
    print(f"ONNX node tests: {len(tests)} in {node_dir}")
    print(f"  ran {ran}, passed {ran - len(failed)}, failed {len(failed)}")
    print(f"  skipped as unsupported {sum(skipped.values())}: " +
          ", ".join(f"{why} {n}" for why, n in skipped.most_common()))
    print(f"  imported but not run {len(unlisted)}: {' '.join(unlisted)}")
    if failed:
        sys.exit("failed: " + " ".join(failed))


if __name__ == "__main__":
    main(*sys.argv[1:])
