#!/usr/bin/python3
"""PyTorch 1.13 reference of docs/METHODS.md's Fashion-MNIST VAE: 784-128 (ReLU) -> mu, log sigma^2 in R^20; decoder
20-128 (ReLU) -> 784 logits; Bernoulli reconstruction summed over pixels + KL, averaged over the batch; Adam lr 1e-3,
batch 128. Prints one JSON line: seconds per epoch, mean, final train loss (negative ELBO per sample), test negElbo,
reconstruction and KL per sample (one seeded draw of z per test image), test MSE (sigmoid(decoder(mu)) vs pixels),
peak RSS (MB).
Usage: /usr/bin/python3 benchmarks/pytorch_vae.py --threads 1 --epochs 5 --seed 0"""
import threads_env  # noqa: F401  (first: sets the BLAS/OpenMP thread count before torch loads)
import torch
from torch import nn
import torch.nn.functional as F

from fmnist import emit
from torch_common import parse_args, setup, summary, train


class Vae(nn.Module):
    def __init__(self, d=784, h=128, m=20):
        super().__init__()
        self.enc = nn.Linear(d, h)
        self.heads = nn.Linear(h, 2 * m)  # mu and log sigma^2 side by side
        self.dec1 = nn.Linear(m, h)
        self.dec2 = nn.Linear(h, d)
        self.m = m

    def encode(self, x):
        mu, logvar = self.heads(F.relu(self.enc(x))).split(self.m, dim=1)
        return mu, logvar

    def decode(self, z):
        return self.dec2(F.relu(self.dec1(z)))

    def terms(self, x, generator=None):
        """(reconstruction, KL), each summed over the batch's rows."""
        mu, logvar = self.encode(x)
        eps = torch.randn(mu.shape, generator=generator)
        logits = self.decode(mu + torch.exp(0.5 * logvar) * eps)
        rec = F.binary_cross_entropy_with_logits(logits, x, reduction="sum")
        kl = 0.5 * torch.sum(mu * mu + logvar.exp() - 1.0 - logvar)
        return rec, kl


def main():
    args = parse_args(__doc__, batch=128)
    x, test = setup(args)
    model = Vae()

    def loss_sum(m, xb):
        rec, kl = m.terms(xb)
        return rec + kl

    seconds, losses = train(model, loss_sum, x, args)
    model.eval()
    with torch.no_grad():
        rec, kl = model.terms(test, torch.Generator().manual_seed(args.seed + 1))
        n = test.shape[0]
        mu, _ = model.encode(test)
        test_mse = torch.mean((torch.sigmoid(model.decode(mu)) - test) ** 2).item()
    emit(summary("pytorch-vae", args, seconds, losses, sum(p.numel() for p in model.parameters()),
                 layers=[784, 128, 40, 20, 128, 784], negElbo=(rec + kl).item() / n,
                 reconstruction=rec.item() / n, kl=kl.item() / n, testMse=test_mse))


if __name__ == "__main__":
    main()
