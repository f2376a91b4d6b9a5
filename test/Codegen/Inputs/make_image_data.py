"""Writes a small learnable image classification data set in the .npy format:
3 classes of images of the given shape (a class brightens its third of the
first channel's rows), float32 training and uint8 test images, int64 labels.

usage: make_image_data.py DIR C,H,W
"""
import sys

import numpy

rng = numpy.random.default_rng(0)
shape = [int(d) for d in sys.argv[2].split(",")]


def samples(count):
    labels = rng.integers(0, 3, count)
    images = rng.uniform(0.0, 0.3, [count] + shape)
    band = shape[1] // 3
    for i, label in enumerate(labels):
        images[i, 0, band * label:band * (label + 1)] += 0.6
    return images, labels.astype(numpy.int64)


out = sys.argv[1]
train_images, train_labels = samples(128)
test_images, test_labels = samples(64)
numpy.save(f"{out}/train_x.npy", train_images.astype(numpy.float32))
numpy.save(f"{out}/train_y.npy", train_labels)
numpy.save(f"{out}/test_x.npy", (test_images * 255).clip(0, 255).astype(numpy.uint8))
numpy.save(f"{out}/test_y.npy", test_labels)
