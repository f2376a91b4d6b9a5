"""--resume continues with every option of the interrupted run that its own
command line does not give: the data directory and the progress period here.

usage: check_resume_options.py TRAINER OUT_DIR
"""
import json
import os
import subprocess
import sys


def main():
    trainer, out = sys.argv[1:]
    data = os.path.join(out, "data")
    os.makedirs(out, exist_ok=True)
    if not os.path.exists(data):
        os.symlink("/usr/share/datasets/fashion-mnist", data)
    run = os.path.join(out, "run")
    subprocess.run([trainer, "--out", run, "--overwrite", "--quiet", "--steps", "4",
                    "--log-every", "2", "--data-dir", data], check=True)
    subprocess.run([trainer, "--out", run, "--resume", "--quiet", "--steps", "6"], check=True)
    with open(os.path.join(run, "summary.json")) as f:
        config = json.load(f)["config"]
    assert config["data_dir"] == data, f"data_dir {config['data_dir']!r}, expected {data!r}"
    assert config["log_every"] == 2, f"log_every {config['log_every']}"
    assert config["steps"] == 6, f"steps {config['steps']}"
    print("resumed with the run's data directory and progress period")


if __name__ == "__main__":
    main()
