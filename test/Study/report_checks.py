"""What the study report checks share: the scripts folder on the path, the
"mean ± std" cell pattern and failing with a message."""
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts"))

NUMBER = r"([0-9.]+) ± ([0-9.]+)"


def fail(message):
    sys.exit("FAIL: " + message)
