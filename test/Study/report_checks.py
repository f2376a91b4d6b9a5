"""What the study report checks share: the scripts folder on the path, the
"mean ± std" cell pattern, the plots' checks and failing with a message."""
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts"))

NUMBER = r"([0-9.]+) ± ([0-9.]+)"


def fail(message):
    sys.exit("FAIL: " + message)


def check_plot(path, lines):
    """The SVG has `lines` series with points, and rsvg-convert renders it to
    a PNG without a message."""
    root = ET.parse(path).getroot()
    series = [g for g in root.iter() if g.tag.endswith("}g") and g.get("id", "").startswith("series-")]
    drawn = [g for g in series if any(p.get("d") for p in g.iter() if p.tag.endswith("}path"))]
    if len(drawn) != lines:
        fail(f"{path}: {len(drawn)} lines with points, expected {lines}")
    png = path[:-len(".svg")] + ".png"
    result = subprocess.run(["rsvg-convert", "-o", png, path], capture_output=True, text=True)
    if result.returncode != 0 or result.stderr.strip():
        fail(f"rsvg-convert {path}: {result.stderr.strip() or result.returncode}")
    with open(png, "rb") as f:
        if f.read(8) != b"\x89PNG\r\n\x1a\n":
            fail(f"{png} is not a PNG")
