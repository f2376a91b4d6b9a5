"""Fashion-MNIST as the runtime reads it (Debian's dataset-fashion-mnist)."""
import gzip

import numpy as np

DATA = "/usr/share/datasets/fashion-mnist"


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * dims).reshape(shape)


def load(part, begin=0, end=None):
    """Pixels scaled to [0, 1] in float32 (as the runtime does), flattened, and labels."""
    prefix = "train" if part == "train" else "t10k"
    images = read_idx(f"{DATA}/{prefix}-images-idx3-ubyte.gz")[begin:end]
    labels = read_idx(f"{DATA}/{prefix}-labels-idx1-ubyte.gz")[begin:end]
    return (images.astype(np.float32) / np.float32(255)).reshape(len(images), -1), labels
