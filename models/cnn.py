#!/usr/bin/env python3
"""Write a convolutional network as an ONNX file, exported in training mode.

Architectures (torchvision's, built here without downloaded weights):
  small      a LeNet-style CNN for 1x28x28 (Fashion-)MNIST images
  vgg11_bn   VGG-11 with batch normalization in the CIFAR form the paper uses
             (no adaptive 7x7 pool: the features end at 512x1x1, one Linear)
  resnet18   ResNet-18 in the CIFAR form (3x3 stem, no max-pool) for 3x32x32
  lenet5, vgg11_bn_narrow, resnet_block
             small nets for the comparisons of derivatives with PyTorch: LeNet-5
             on 1x28x28, VGG-11-BN with 1/8 of the channels and a ResNet stem
             with one downsampling basic block on 3x32x32
  small_bn   the small CNN's kind of net with what the GPU tests need: batch
             normalization, a grouped strided convolution, overlapping max
             pooling (3x3, stride 2, padded) and dropout, for 1x28x28
  sequence1d a 1-D CNN over 2x40 sequences (Conv1d with padding, stride and
             dilation, BatchNorm1d, MaxPool1d, AvgPool1d)
  mobile     MobileNet v3's activations on 1x28x28: a convolution, BatchNorm and
             HardSwish, then a squeeze-and-excitation gate (HardSigmoid of a
             bottleneck of 1x1 convolutions, multiplied into the features),
             and a GELU between two Linear layers
  layernorm  ConvNeXt's normalization on 3x16x16: a 7x7 depthwise convolution,
             LayerNorm over [C, H, W], a GELU and a 1x1 convolution, with a
             residual connection; then a Linear over the channels at every
             position (a 3-D MatMul, as in ViT)
  tiny_tanh  a smooth 1x8x8 net for the finite-difference tests (tanh; strided,
             padded, grouped and dilated convolutions; max and average pooling;
             softmax over the channels; dropout; a concatenation)

Training mode (torch.onnx.TrainingMode.TRAINING) keeps BatchNormalization as
the training-time op with its running statistics, and Dropout, instead of
folding them into the convolutions as an eval-mode export does.
"""
import argparse
import sys

import onnx
import torch
import torchvision

from mlp import summary


def small(classes):
    return torch.nn.Sequential(
        torch.nn.Conv2d(1, 16, 5, padding=2), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(16, 32, 5, padding=2), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.Linear(32 * 7 * 7, 128), torch.nn.ReLU(),
        torch.nn.Linear(128, classes))


def small_bn(classes):
    return torch.nn.Sequential(
        torch.nn.Conv2d(1, 8, 3, padding=1, bias=False), torch.nn.BatchNorm2d(8), torch.nn.ReLU(),
        torch.nn.MaxPool2d(3, stride=2, padding=1),
        torch.nn.Conv2d(8, 16, 3, stride=2, padding=1, groups=2), torch.nn.BatchNorm2d(16),
        torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.Dropout(0.2), torch.nn.Linear(16 * 3 * 3, classes))


def sequence1d(classes):
    return torch.nn.Sequential(
        torch.nn.Conv1d(2, 6, 5, padding=2), torch.nn.BatchNorm1d(6), torch.nn.ReLU(),
        torch.nn.MaxPool1d(3, stride=2, padding=1),
        torch.nn.Conv1d(6, 8, 3, stride=2, padding=1, dilation=2), torch.nn.Tanh(),
        torch.nn.AvgPool1d(3, stride=1, padding=1, count_include_pad=False),
        torch.nn.Flatten(), torch.nn.Linear(8 * 9, classes))


def rows1d(classes):
    """A 1-D CNN over a 28x28 image read as 28 channels (its rows) along 28
    steps (its columns): the automatic-LR benchmark's task of another shape."""
    return torch.nn.Sequential(
        torch.nn.Conv1d(28, 32, 5, padding=2), torch.nn.BatchNorm1d(32), torch.nn.ReLU(),
        torch.nn.MaxPool1d(2),
        torch.nn.Conv1d(32, 64, 3, padding=1), torch.nn.BatchNorm1d(64), torch.nn.ReLU(),
        torch.nn.AvgPool1d(14), torch.nn.Flatten(), torch.nn.Linear(64, classes))


class ConcatBranch(torch.nn.Module):
    """x joined along the channels with tanh(1x1 convolution of x)."""

    def __init__(self, channels):
        super().__init__()
        self.conv = torch.nn.Conv2d(channels, channels, 1)

    def forward(self, x):
        return torch.cat([x, torch.tanh(self.conv(x))], dim=1)


def tiny_tanh(classes):
    return torch.nn.Sequential(
        torch.nn.Conv2d(1, 4, 3, padding=1, padding_mode="reflect"), torch.nn.Tanh(),
        torch.nn.MaxPool2d(2),
        ConcatBranch(4),
        torch.nn.Conv2d(8, 4, 3, padding=2, dilation=2, groups=2), torch.nn.Tanh(),
        torch.nn.Conv2d(4, 6, 3, stride=2, padding=(1, 0), bias=False, padding_mode="replicate"),
        torch.nn.Tanh(),
        torch.nn.AvgPool2d(2, stride=1, padding=1, count_include_pad=False),
        torch.nn.Softmax(dim=1), torch.nn.Flatten(), torch.nn.Dropout(0.25),
        torch.nn.Linear(6 * 3 * 2, classes))


def lenet5(classes):
    return torch.nn.Sequential(
        torch.nn.Conv2d(1, 6, 5, padding=2), torch.nn.ReLU(), torch.nn.AvgPool2d(2),
        torch.nn.Conv2d(6, 16, 5), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.Linear(16 * 5 * 5, 120), torch.nn.ReLU(),
        torch.nn.Linear(120, 84), torch.nn.ReLU(), torch.nn.Linear(84, classes))


def vgg11_bn_narrow(classes):
    config = [8, "M", 16, "M", 32, 32, "M", 64, 64, "M", 64, 64, "M"]
    model = torchvision.models.VGG(torchvision.models.vgg.make_layers(config, batch_norm=True),
                                   num_classes=classes)
    model.avgpool = torch.nn.Identity()
    model.classifier = torch.nn.Linear(64, classes)
    return model


def resnet_block(classes):
    block = torchvision.models.resnet.BasicBlock
    downsample = torch.nn.Sequential(torch.nn.Conv2d(8, 16, 1, stride=2, bias=False),
                                     torch.nn.BatchNorm2d(16))
    return torch.nn.Sequential(
        torch.nn.Conv2d(3, 8, 3, padding=1, bias=False), torch.nn.BatchNorm2d(8), torch.nn.ReLU(),
        block(8, 16, stride=2, downsample=downsample), torch.nn.AdaptiveAvgPool2d(1),
        torch.nn.Flatten(), torch.nn.Linear(16, classes))


class PaddedNet(torch.nn.Module):
    """A user's own CNN written the usual way: padding modes other than zeros
    (exported as shape arithmetic around Pad) and x.view(x.size(0), -1).
    Not circular padding: PyTorch 1.13 exports it wrongly (its slices take
    x[-2] where the padding needs x[-1])."""

    def __init__(self, classes):
        super().__init__()
        self.reflect = torch.nn.Conv2d(1, 4, 3, padding=1, padding_mode="reflect")
        self.replicate = torch.nn.Conv2d(4, 6, 3, padding=(2, 1), padding_mode="replicate")
        self.pool = torch.nn.MaxPool2d(2)
        self.strided = torch.nn.Conv2d(6, 8, 3, stride=2, padding=1)
        self.fc = torch.nn.Linear(8 * 8 * 7, classes)

    def forward(self, x):
        x = torch.tanh(self.reflect(x))
        x = self.pool(torch.tanh(self.replicate(x)))
        x = torch.tanh(self.strided(x))
        return self.fc(x.view(x.size(0), -1))


def padded(classes):
    return PaddedNet(classes)


def vgg11_bn(classes):
    model = torchvision.models.vgg11_bn(weights=None)
    model.avgpool = torch.nn.Identity()
    model.classifier = torch.nn.Linear(512, classes)
    return model


class SqueezeExcite(torch.nn.Module):
    """MobileNet v3's channel gate: x * hardsigmoid(W2 relu(W1 mean(x)))."""

    def __init__(self, channels, squeezed):
        super().__init__()
        self.pool = torch.nn.AdaptiveAvgPool2d(1)
        self.reduce = torch.nn.Conv2d(channels, squeezed, 1)
        self.expand = torch.nn.Conv2d(squeezed, channels, 1)

    def forward(self, x):
        gate = self.expand(torch.nn.functional.relu(self.reduce(self.pool(x))))
        return x * torch.nn.functional.hardsigmoid(gate)


def mobile(classes):
    return torch.nn.Sequential(
        torch.nn.Conv2d(1, 8, 3, padding=1, bias=False), torch.nn.BatchNorm2d(8),
        torch.nn.Hardswish(), SqueezeExcite(8, 4), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(8, 8, 3, stride=2, padding=1), torch.nn.Hardswish(),
        torch.nn.Flatten(), torch.nn.Linear(8 * 7 * 7, 32), torch.nn.GELU(),
        torch.nn.Linear(32, classes))


class LayerNormBlock(torch.nn.Module):
    """x + pointwise(gelu(layernorm(depthwise(x)))), as in ConvNeXt."""

    def __init__(self, channels, size):
        super().__init__()
        self.depthwise = torch.nn.Conv2d(channels, channels, 7, padding=3, groups=channels)
        self.norm = torch.nn.LayerNorm([channels, size, size])
        self.pointwise = torch.nn.Conv2d(channels, channels, 1)

    def forward(self, x):
        branch = torch.nn.functional.gelu(self.norm(self.depthwise(x)))
        return x + self.pointwise(branch)


class TokenLinear(torch.nn.Module):
    """A Linear layer over the channels at every position (ViT's MLPs): a
    MatMul of a 3-D tensor by a 2-D one."""

    def __init__(self, channels):
        super().__init__()
        self.linear = torch.nn.Linear(channels, channels)

    def forward(self, x):
        tokens = self.linear(x.flatten(2).transpose(1, 2))
        return tokens.transpose(1, 2).reshape(x.shape)


def layernorm(classes):
    return torch.nn.Sequential(
        torch.nn.Conv2d(3, 8, 3, padding=1), LayerNormBlock(8, 16), torch.nn.AvgPool2d(4),
        TokenLinear(8), torch.nn.Tanh(),
        torch.nn.Flatten(), torch.nn.Linear(8 * 4 * 4, classes))


def resnet18(classes):
    model = torchvision.models.resnet18(weights=None, num_classes=classes)
    model.conv1 = torch.nn.Conv2d(3, 64, 3, stride=1, padding=1, bias=False)
    model.maxpool = torch.nn.Identity()
    return model


ARCHITECTURES = {"small": (small, [1, 28, 28]), "small_bn": (small_bn, [1, 28, 28]),
                 "sequence1d": (sequence1d, [2, 40]), "rows1d": (rows1d, [28, 28]),
                 "tiny_tanh": (tiny_tanh, [1, 8, 8]), "mobile": (mobile, [1, 28, 28]),
                 "layernorm": (layernorm, [3, 16, 16]),
                 "lenet5": (lenet5, [1, 28, 28]), "vgg11_bn_narrow": (vgg11_bn_narrow, [3, 32, 32]),
                 "resnet_block": (resnet_block, [3, 32, 32]), "vgg11_bn": (vgg11_bn, [3, 32, 32]),
                 "resnet18": (resnet18, [3, 32, 32]), "padded": (padded, [1, 28, 28])}


def export(path, arch, classes=10, batch=128, opset=17, seed=0, double=False):
    torch.manual_seed(seed)
    build, shape = ARCHITECTURES[arch]
    dtype = torch.float64 if double else torch.float32
    model = build(classes).train().to(dtype)
    example = torch.zeros([batch] + shape, dtype=dtype)
    torch.onnx.export(model, example, path, export_params=True, do_constant_folding=False,
                      opset_version=opset, input_names=["input"], output_names=["logits"],
                      training=torch.onnx.TrainingMode.TRAINING,
                      keep_initializers_as_inputs=False)
    proto = onnx.load(path)
    onnx.checker.check_model(proto)
    return proto


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-o", "--output", required=True, help="ONNX file to write")
    parser.add_argument("--arch", choices=sorted(ARCHITECTURES), default="small")
    parser.add_argument("--classes", type=int, default=10)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--opset", type=int, choices=range(13, 22), default=17)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--double", action="store_true", help="float64 weights and input")
    args = parser.parse_args()
    proto = export(args.output, args.arch, args.classes, args.batch, args.opset, args.seed,
                   args.double)
    print(f"{args.output}: {summary(proto)}", file=sys.stderr)


if __name__ == "__main__":
    main()
