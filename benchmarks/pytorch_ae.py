#!/usr/bin/python3
"""PyTorch 1.13 reference of docs/METHODS.md's Fashion-MNIST AE: 784-256-128-20 (ReLU, linear code), decoder 20-128-256-784
(ReLU, logits out), Bernoulli cross-entropy summed over pixels and averaged over the batch, Adam lr 1e-3, batch 512.
Prints one JSON line: seconds per epoch, mean, final train loss, test MSE (sigmoid output vs test pixels), peak RSS (MB).
Usage: /usr/bin/python3 benchmarks/pytorch_ae.py --threads 1 --epochs 5 --seed 0"""
import threads_env  # noqa: F401  (first: sets the BLAS/OpenMP thread count before torch loads)
import torch
from torch import nn

from torch_common import fit_bce_autoencoder, parse_args, setup


def build(sizes):
    """Dense stack with ReLU between layers and none after the code layer and the output layer."""
    layers = []
    code = len(sizes) // 2
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i + 1 != code and i + 1 != len(sizes) - 1:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def main():
    args = parse_args(__doc__, batch=512)
    x, test = setup(args)
    sizes = [784, 256, 128, 20, 128, 256, 784]
    model = build(sizes)
    fit_bce_autoencoder("pytorch-ae", model, args, x, test, layers=sizes)


if __name__ == "__main__":
    main()
