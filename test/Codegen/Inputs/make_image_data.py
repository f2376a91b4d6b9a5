"""Writes a small learnable classification data set in the .npy format:
3 classes of samples of the given shape (a class raises its third of the
first channel's first axis, or of the values of 1-D samples), float32
training and uint8 test samples, int64 labels.

usage: make_image_data.py DIR SHAPE [TRAIN TEST]   (SHAPE: C,H,W or C,L or L;
TRAIN and TEST samples, 128 and 64 by default)
"""
import sys

import numpy

rng = numpy.random.default_rng(0)
shape = [int(d) for d in sys.argv[2].split(",")]
train_count, test_count = (int(sys.argv[3]), int(sys.argv[4])) if len(sys.argv) > 4 else (128, 64)


def samples(count):
    labels = rng.integers(0, 3, count)
    images = rng.uniform(0.0, 0.3, [count] + shape)
    raised = images[:, 0] if len(shape) > 1 else images
    band = raised.shape[1] // 3
    for i, label in enumerate(labels):
        raised[i, band * label:band * (label + 1)] += 0.6
    return images, labels.astype(numpy.int64)


out = sys.argv[1]
train_images, train_labels = samples(train_count)
test_images, test_labels = samples(test_count)
numpy.save(f"{out}/train_x.npy", train_images.astype(numpy.float32))
numpy.save(f"{out}/train_y.npy", train_labels)
numpy.save(f"{out}/test_x.npy", (test_images * 255).clip(0, 255).astype(numpy.uint8))
numpy.save(f"{out}/test_y.npy", test_labels)
