"""Virtual adversarial training of the C# encoder classifier's network in PyTorch 1.13, for the accuracy comparison
of docs/semi-supervised.md: 784 → 512 → 256 → 20 (ReLU, linear code), the code standardised with the initial
encoder's mean and std over the labelled rows, dropout 0.5 after the hidden layers on the classification path, a
softmax head; Adam 1e-3, labelled batch 32, L2 1e-4 on the weights; each labelled step adds α × the VAT penalty of
128 unlabelled images (ε, ξ = 1, no dropout). Recipe B: every labelled image trains, a fixed number of epochs.
The labelled draw is class-balanced from training images 0–39 999 with numpy's generator (not the C# one: the same
recipe, other draws); scored on training images 40 000–49 999 (selection) or the test images.
  /usr/bin/python3 benchmarks/semisupervised/vat_train.py --labels 100 --epochs 300 --seed 0 [--test]"""
import argparse
import gzip
import json
import os
import struct
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fmnist import DATA_DIR, load_fashion_mnist  # noqa: E402
from vat_common import vat_penalty  # noqa: E402


def labels(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    magic, n = struct.unpack(">II", raw[:8])
    assert magic == 0x801, f"{path}: bad magic"
    return np.frombuffer(raw, dtype=np.uint8, offset=8).astype(np.int64)


def draw(count, rng):
    """(x, y, u): a class-balanced draw of `count` labelled images from training images 0–39 999 (count / 10 a class,
    numpy's generator `rng`) and the unlabelled images (training images 0–19 999), as tensors."""
    train, _ = load_fashion_mnist()
    ytrain = labels(os.path.join(DATA_DIR, "train-labels-idx1-ubyte.gz"))
    rows = np.concatenate([rng.choice(np.flatnonzero(ytrain[:40000] == c), count // 10, replace=False) for c in range(10)])
    return torch.from_numpy(train[rows]), torch.from_numpy(ytrain[rows]), torch.from_numpy(train[:20000])


def evaluation_rows(test):
    """(images, labels) scored: the test images, or the selection rows (training images 40 000–49 999)."""
    train, images = load_fashion_mnist()
    if test:
        return torch.from_numpy(images), torch.from_numpy(labels(os.path.join(DATA_DIR, "t10k-labels-idx1-ubyte.gz")))
    return torch.from_numpy(train[40000:50000]), torch.from_numpy(labels(os.path.join(DATA_DIR, "train-labels-idx1-ubyte.gz"))[40000:50000])


def unlabelled_indices(count, size, rng):
    """Indices of batches of `size` of `count` rows taken in a cycle that is reshuffled each time it is used up (as the C# trainer takes them)."""
    order, at = rng.permutation(count), 0
    while True:
        rows = []
        for _ in range(size):
            if at == len(order):
                rng.shuffle(order)
                at = 0
            rows.append(order[at])
            at += 1
        yield torch.from_numpy(np.array(rows))


def unlabelled_cycle(u, size, rng):
    """Batches of `size` rows of u taken in a cycle that is reshuffled each time it is used up (as the C# trainer takes them)."""
    for rows in unlabelled_indices(len(u), size, rng):
        yield u[rows]


def start(ap):
    """Adds the options every training script shares (--labels, --seed, --test) to the parser ap, parses, seeds torch and
    numpy's generator with one thread; returns (arguments, generator, (x, y, u) of draw(), evaluation_rows())."""
    ap.add_argument("--labels", type=int, default=100)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--test", action="store_true", help="score on the test images instead of training images 40 000–49 999")
    a = ap.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(a.seed)
    rng = np.random.default_rng(a.seed)
    return a, rng, draw(a.labels, rng), evaluation_rows(a.test)


class Net(torch.nn.Module):
    def __init__(self, x_labelled):
        super().__init__()
        self.enc = torch.nn.ModuleList([torch.nn.Linear(784, 512), torch.nn.Linear(512, 256), torch.nn.Linear(256, 20)])
        for layer in self.enc:
            torch.nn.init.kaiming_uniform_(layer.weight, nonlinearity="relu")
            torch.nn.init.zeros_(layer.bias)
        self.head = torch.nn.Linear(20, 10)
        torch.nn.init.xavier_uniform_(self.head.weight)
        torch.nn.init.zeros_(self.head.bias)
        with torch.no_grad():
            z = self.code(x_labelled, False)
            self.register_buffer("mean", z.mean(0))
            self.register_buffer("std", torch.where(z.std(0, unbiased=False) > 1e-6, z.std(0, unbiased=False), torch.ones(20)))

    def code(self, x, dropout):
        h = x
        for i, layer in enumerate(self.enc):
            h = layer(h)
            if i < 2:
                h = F.dropout(torch.relu(h), 0.5, dropout)
        return h

    def forward(self, x, dropout=False):
        z = self.code(x, dropout)
        if hasattr(self, "mean"):
            z = (z - self.mean) / self.std
        return self.head(z)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=300)
    ap.add_argument("--epsilon", type=float, default=1.0)
    ap.add_argument("--weight", type=float, default=1.0)
    a, rng, (x, y, u), (ex, ey) = start(ap)
    net = Net(x)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    weights = [l.weight for l in net.enc] + [net.head.weight]
    began = time.time()
    for _ in range(a.epochs):
        order = torch.from_numpy(rng.permutation(len(x)))
        for b in range(0, len(x), 32):
            idx = order[b:b + 32]
            ub = u[torch.from_numpy(rng.integers(0, len(u), 128))]
            loss = vat_penalty(lambda t: net(t, False), ub, torch.randn_like(ub), a.epsilon, 1.0, a.weight)
            loss = loss + F.cross_entropy(net(x[idx], True), y[idx]) + 0.5e-4 * sum((w * w).sum() for w in weights)
            opt.zero_grad()
            loss.backward()
            opt.step()
    with torch.no_grad():
        acc = (net(ex).argmax(1) == ey).float().mean().item()
    print(json.dumps({"labels": a.labels, "seed": a.seed, "epsilon": a.epsilon, "epochs": a.epochs, "scoredOn": "test" if a.test else "train:40000-49999",
                      "accuracy": acc, "seconds": round(time.time() - began, 1)}))


if __name__ == "__main__":
    main()
