"""The hypergradient of a schedule-free optimizer is that of the evaluated
model: with mu = 1 and beta = 0 (eta constant), the hypergradient step t
logs equals the derivative in eta of the validation loss at the average x
after t + 1 steps (central differences of two constant-eta runs).

usage: check_evaluation_point_hypergradient.py TRAINER OUT_DIR

TRAINER is a double-precision MLP compiled with schedulefree_adamw, mu fixed
(evaluation_point_hg.toml); the constant runs log the validation loss at x
(the fixed schedules' val_loss is taken at the evaluation point), the
MARTHE run logs hg = <Z'_x, grad E(x')>.
"""
import csv
import subprocess
import sys

ETA, STEPS = 0.0025, 6


def rows(trainer, out, *args):
    subprocess.run([trainer, "--out", out, "--overwrite", "--quiet", "--steps", str(STEPS), *args],
                   check=True)
    with open(f"{out}/metrics.csv") as f:
        return list(csv.DictReader(f))


def main():
    trainer, out = sys.argv[1:]
    marthe = rows(trainer, f"{out}/rtho", "--schedule", "marthe", "--mu", "1", "--beta0", "0",
                  "--beta-step", "0", "--eta0", repr(ETA))
    # Adam's normalization makes E(eta) bend sharply (early steps are close to
    # sign(g)): at h = 1e-4 eta a difference already spans kinks, at 1e-6 eta
    # it is smooth and float64 still resolves it.
    h = ETA * 1e-6
    plus = rows(trainer, f"{out}/plus", "--schedule", "constant", "--eta0", repr(ETA + h))
    minus = rows(trainer, f"{out}/minus", "--schedule", "constant", "--eta0", repr(ETA - h))
    worst = 0.0
    for t in range(1, STEPS):
        fd = (float(plus[t]["val_loss"]) - float(minus[t]["val_loss"])) / (2 * h)
        hg = float(marthe[t]["hypergrad"])
        error = abs(hg - fd) / max(abs(fd), 1e-12)
        worst = max(worst, error)
        print(f"step {t}: hypergradient {hg:.8g}, finite difference {fd:.8g}, "
              f"relative error {error:.2e}")
    if worst > 1e-4:
        raise SystemExit(f"the hypergradient is not the derivative of E(x) (worst {worst:.2e})")


if __name__ == "__main__":
    main()
