#!/usr/bin/python3
"""PyTorch 1.13 reference of the convolutional autoencoder (the `conv` kind, ConvAutoencoderOptions' defaults): encoder
Conv2d(1→32) and Conv2d(32→64), kernel 4, stride 2, padding 1, ReLU after each (28 → 14 → 7), Flatten, Linear(3136 → 20);
decoder Linear(20 → 3136), ReLU, Unflatten to 64×7×7, ConvTranspose2d(64→32), ReLU, ConvTranspose2d(32→1) (logits);
Bernoulli cross-entropy summed over pixels and averaged over the batch, Adam lr 1e-3, batch 512.
Prints one JSON line: seconds per epoch, mean, final train loss, test MSE (sigmoid output vs test pixels), peak RSS (MB).
Usage: /usr/bin/python3 benchmarks/pytorch_conv.py --threads 1 --epochs 3 --seed 0"""
import threads_env  # noqa: F401  (first: sets the BLAS/OpenMP thread count before torch loads)
import torch
from torch import nn

from torch_common import fit_bce_autoencoder, parse_args, setup


def build(code=20, channels=(32, 64), side=28):
    feature = side >> len(channels)
    enc, dec, c_in = [nn.Unflatten(1, (1, side, side))], [], 1
    for c in channels:
        enc += [nn.Conv2d(c_in, c, 4, stride=2, padding=1), nn.ReLU()]
        c_in = c
    enc += [nn.Flatten(), nn.Linear(c_in * feature * feature, code)]
    dec += [nn.Linear(code, c_in * feature * feature), nn.ReLU(), nn.Unflatten(1, (c_in, feature, feature))]
    outs = list(reversed(channels[:-1])) + [1]
    for i, c in enumerate(outs):
        dec.append(nn.ConvTranspose2d(c_in, c, 4, stride=2, padding=1))
        if i + 1 < len(outs):
            dec.append(nn.ReLU())
        c_in = c
    dec.append(nn.Flatten())
    return nn.Sequential(*enc, *dec)


def main():
    args = parse_args(__doc__, batch=512)
    x, test = setup(args)
    model = build()
    fit_bce_autoencoder("pytorch-conv", model, args, x, test, layers="conv 1x28x28 channels 32,64 code 20")


if __name__ == "__main__":
    main()
