"""The semi-supervised VAE M1+M2 (Kingma et al. 2014) in PyTorch 1.13, trained as the C# encoder classifier's m1m2
mode trains it, for the accuracy comparison of docs/semi-supervised.md. M1: a VAE 784 → 512 → 256 → (μ, log σ²) ∈ R^20,
decoder 20 → 256 → 512 → 784 logits, Bernoulli, 15 epochs, batch 128, Adam 1e-3, on the unlabelled images (training
images 0–19 999). Features s = μ(x) standardised with the mean and std over the labelled rows. The head q(y|s): one
hidden layer of 256 ReLU units, dropout 0.5, softmax. M2 (m2_common.py): q(z|s, y) and p(s|y, z) with 256 hidden
units, latent 32, the decoder's log-variance floored at ln 0.01. Each step: the labelled batch's cross-entropy (32 rows,
dropout) + ½·1e-4·‖head weights‖² + β × M2's term on the batch and 128 unlabelled rows; Adam 1e-3; at most 500 epochs,
early stopping with patience 30 on the validation loss of 20 % of the labelled rows, best epoch kept. Initialisation as
the C# layers: He uniform before a ReLU, Glorot uniform otherwise, zero biases. Labelled draw as vat_train.py.
  /usr/bin/python3 benchmarks/semisupervised/m1m2_train.py --labels 100 --seed 0 [--test]"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import threads_env  # noqa: E402,F401  (first: one BLAS thread)
import argparse  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from m2_common import m2_term  # noqa: E402
from torch_common import train as train_vae  # noqa: E402
from vat_common import forward  # noqa: E402
from vat_train import start, unlabelled_cycle  # noqa: E402


def dense(inputs, outputs, activation):
    """(weight out×in, bias, activation) as the C# layer initialises it, the tensors as parameters."""
    bound = math.sqrt(6 / inputs) if activation == "relu" else math.sqrt(6 / (inputs + outputs))
    w = torch.nn.Parameter(torch.empty(outputs, inputs).uniform_(-bound, bound))
    return (w, torch.nn.Parameter(torch.zeros(outputs)), activation)


def mlp(*widths):
    """ReLU hidden layers, a linear last layer."""
    return [dense(widths[i], widths[i + 1], "relu" if i + 2 < len(widths) else "identity") for i in range(len(widths) - 1)]


def parameters(*nets):
    return [t for net in nets for w, b, _ in net for t in (w, b)]


class M1(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.parts = [[dense(784, 512, "relu"), dense(512, 256, "relu")], mlp(256, 20), mlp(256, 20), mlp(20, 256, 512, 784)]
        self.weights = torch.nn.ParameterList(parameters(*self.parts))

    def mean(self, x):
        return forward(self.parts[1], forward(self.parts[0], x))

    def negative_elbo_sum(self, x):
        h = forward(self.parts[0], x)
        mu, logvar = forward(self.parts[1], h), forward(self.parts[2], h)
        logits = forward(self.parts[3], mu + torch.exp(0.5 * logvar) * torch.randn_like(mu))
        rec = F.binary_cross_entropy_with_logits(logits, x, reduction="sum")
        return rec + 0.5 * torch.sum(mu * mu + logvar.exp() - 1.0 - logvar)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--weight", type=float, default=1.0, help="β, M2's weight")
    ap.add_argument("--m1-epochs", type=int, default=15)
    ap.add_argument("--epochs", type=int, default=500)
    ap.add_argument("--patience", type=int, default=30)
    a, rng, (x, y, u), (ex, ey) = start(ap)

    began = time.time()
    m1 = M1()
    train_vae(m1, lambda m, xb: m.negative_elbo_sum(xb), u, argparse.Namespace(lr=1e-3, epochs=a.m1_epochs, batch=128, seed=a.seed))
    m1_seconds = time.time() - began
    with torch.no_grad():
        codes = m1.mean(x)
        mean, std = codes.mean(0), codes.std(0, unbiased=False)
        std = torch.where(std > 1e-6, std, torch.ones_like(std))
        features = lambda t: (m1.mean(t) - mean) / std  # noqa: E731
        s, su, se = features(x), features(u), features(ex)

    k, latent = 10, 32
    head, encoder, decoder = mlp(20, 256, k), mlp(20 + k, 256, 2 * latent), mlp(latent + k, 256, 40)
    params = parameters(head, encoder, decoder)
    opt = torch.optim.Adam(params, lr=1e-3)
    order = rng.permutation(len(x))
    held = round(0.2 * len(x))
    val, tr = np.sort(order[:held]), np.sort(order[held:])
    batches = unlabelled_cycle(su, 128, rng)
    (w1, b1, _), (w2, b2, _) = head
    best, best_epoch, kept = math.inf, 0, None
    m2_start = time.time()
    for epoch in range(1, a.epochs + 1):
        perm = rng.permutation(tr)
        for b in range(0, len(tr), 32):
            idx = torch.from_numpy(perm[b:b + 32])
            ub = next(batches)
            term = m2_term(head, encoder, decoder, s[idx], y[idx], ub, torch.randn(len(idx), latent), torch.randn(len(ub) * k, latent), k, a.weight)
            logits = F.dropout(torch.relu(s[idx] @ w1.t() + b1), 0.5, True) @ w2.t() + b2
            loss = F.cross_entropy(logits, y[idx]) + 0.5e-4 * ((w1 * w1).sum() + (w2 * w2).sum()) + term
            opt.zero_grad()
            loss.backward()
            opt.step()
        with torch.no_grad():
            v = F.cross_entropy(forward(head, s[val]), y[val]).item()
        if v < best:
            best, best_epoch, kept = v, epoch, [p.detach().clone() for p in params]
        elif epoch - best_epoch >= a.patience:
            break
    with torch.no_grad():
        for p, q in zip(params, kept):
            p.copy_(q)
        acc = (forward(head, se).argmax(1) == ey).float().mean().item()
    print(json.dumps({"method": "m1m2", "labels": a.labels, "seed": a.seed, "weight": a.weight, "scoredOn": "test" if a.test else "train:40000-49999",
                      "accuracy": acc, "epochs": epoch, "bestEpoch": best_epoch, "m1Seconds": round(m1_seconds, 1),
                      "seconds": round(time.time() - m2_start, 1)}))


if __name__ == "__main__":
    main()
