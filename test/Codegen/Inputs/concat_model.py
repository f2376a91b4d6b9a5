"""Writes a float64 MLP whose hidden layer joins two branches with Concat:
flatten, then [relu(fc_a x), tanh(fc_b x)] joined along the features, then fc.

usage: concat_model.py OUT.onnx
"""
import sys

import torch


class Branches(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.a = torch.nn.Linear(784, 24)
        self.b = torch.nn.Linear(784, 8)
        self.out = torch.nn.Linear(32, 10)

    def forward(self, x):
        x = x.flatten(1)
        return self.out(torch.cat([torch.relu(self.a(x)), torch.tanh(self.b(x))], 1))


torch.manual_seed(2)
torch.onnx.export(Branches().double(), torch.zeros(100, 1, 28, 28, dtype=torch.float64),
                  sys.argv[1], opset_version=17, input_names=["input"], output_names=["logits"],
                  do_constant_folding=False)
