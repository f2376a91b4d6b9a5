"""Writes a small learnable classification data set in the .npy format:
3 classes of 16-value samples (a class's block of values is high), float32
train images and uint8 test images, int64 labels.

usage: make_npy_data.py DIR
"""
import sys

import numpy

rng = numpy.random.default_rng(0)


def samples(count):
    labels = rng.integers(0, 3, count)
    images = rng.uniform(0.0, 0.3, (count, 16))
    for i, label in enumerate(labels):
        images[i, 5 * label:5 * label + 5] += 0.6
    return images, labels.astype(numpy.int64)


out = sys.argv[1]
train_images, train_labels = samples(600)
test_images, test_labels = samples(200)
numpy.save(f"{out}/train_x.npy", train_images.astype(numpy.float32))
numpy.save(f"{out}/train_y.npy", train_labels)
numpy.save(f"{out}/test_x.npy", (test_images * 255).clip(0, 255).astype(numpy.uint8))
numpy.save(f"{out}/test_y.npy", test_labels)
