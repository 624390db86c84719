#!/usr/bin/python3
"""Feasibility prototype of round 4's scorers (docs/anomaly/SCORERS-PROTOCOL.md, round 4 preamble), on the Fashion-MNIST
VALIDATION rows only (fit on the class-c images among training images 0-49 999, score training images 50 000-59 999).
Levers: the mean distance to the k = 5 nearest training images with the Euclidean distance on the raw pixels (the
reference), the cosine distance, and the Euclidean distance on per-image standardised pixels; GeoTrans-style
transformation prediction (a network trained to tell which of the 8 right-angle rotations and flips was applied to a
normal image; score = the summed negative log-probability of the right transformation), with a small dense and a small
convolutional network; and the average of standardised scores (GeoTrans + raw kNN). One thread. Prints one JSON line
per class and lever, with the class's fit + score seconds.
Usage: /usr/bin/python3 benchmarks/anomaly/prototype_round4.py [--classes 6,2,4] [--levers knn,geo-dense,geo-conv]
       [--epochs 10] [--seed 0] [--threads 1]"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import threads_env  # noqa: F401,E402  (first: thread counts before numpy/torch load)
import argparse  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from sklearn.metrics import roc_auc_score  # noqa: E402

from fmnist import emit  # noqa: E402
from sklearn_anomaly import fashion_cases  # noqa: E402


def knn_scores(train, test, k=5, chunk=2000):
    """Mean distance to the k nearest training rows (squared distances by a matrix product)."""
    tn = (train * train).sum(1)
    out = np.empty(len(test), np.float32)
    for s in range(0, len(test), chunk):
        q = test[s:s + chunk]
        d = (q * q).sum(1)[:, None] + tn[None, :] - 2 * q @ train.T
        np.maximum(d, 0, out=d)
        part = np.partition(d, k - 1, axis=1)[:, :k]
        out[s:s + chunk] = np.sqrt(part).mean(1)
    return out


def unit(x):
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


def standardised(x):
    x = x - x.mean(1, keepdims=True)
    return unit(x)


def transforms(x):
    """x (n, 28, 28) -> list of 8 tensors: rotations by 0, 90, 180, 270 degrees, then the same of the mirrored image."""
    out = []
    for flip in (False, True):
        y = torch.flip(x, dims=[2]) if flip else x
        for r in range(4):
            out.append(torch.rot90(y, r, dims=[1, 2]))
    return out


class Dense(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(),
                                 nn.Linear(128, 8))

    def forward(self, x):
        return self.net(x)


class Conv(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 16, 3, stride=2, padding=1)   # 14x14
        self.c2 = nn.Conv2d(16, 32, 3, stride=2, padding=1)  # 7x7
        self.fc = nn.Linear(32 * 49, 64)
        self.out = nn.Linear(64, 8)

    def forward(self, x):
        x = F.relu(self.c1(x.unsqueeze(1)))
        x = F.relu(self.c2(x))
        return self.out(F.relu(self.fc(x.flatten(1))))


def geo_scores(net, train, test, epochs, seed, batch=256, lr=1e-3):
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    x = torch.from_numpy(train).view(-1, 28, 28)
    views = transforms(x)
    n = x.shape[0]
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    for _ in range(epochs):
        perm = torch.randperm(n * 8, generator=gen)
        for s in range(0, n * 8, batch):
            idx = perm[s:s + batch]
            t, i = idx // n, idx % n
            xb = torch.stack([views[tt][ii] for tt, ii in zip(t.tolist(), i.tolist())])
            loss = F.cross_entropy(net(xb), t)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
    net.eval()
    with torch.no_grad():
        xt = torch.from_numpy(test).view(-1, 28, 28)
        score = torch.zeros(xt.shape[0])
        for t, v in enumerate(transforms(xt)):
            for s in range(0, v.shape[0], 2000):
                lp = F.log_softmax(net(v[s:s + 2000]), dim=1)
                score[s:s + 2000] -= lp[:, t]
    return score.numpy()


def zscore(train_scores, s):
    return (s - train_scores.mean()) / max(train_scores.std(), 1e-12)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--classes", default="6,2,4")
    p.add_argument("--levers", default="knn,geo-dense,geo-conv")
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=1)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    levers = a.levers.split(",")
    for name, c, train, test, y in fashion_cases([int(c) for c in a.classes.split(",")], validation=True):
        raw_test = None
        if "knn" in levers or "geo-dense" in levers or "geo-conv" in levers:
            t0 = time.perf_counter()
            raw_test = knn_scores(train, test)
            raw_train = knn_scores(train, train, k=6) * 6 / 5  # crude leave-one-out: drop the zero self-distance
            emit({"class": c, "lever": "knn-raw", "auroc": roc_auc_score(y, raw_test), "seconds": time.perf_counter() - t0})
        if "knn" in levers:
            for lever, f in (("knn-cosine", unit), ("knn-standardised", standardised)):
                t0 = time.perf_counter()
                s = knn_scores(f(train), f(test))
                emit({"class": c, "lever": lever, "auroc": roc_auc_score(y, s), "seconds": time.perf_counter() - t0})
        for lever, make in (("geo-dense", Dense), ("geo-conv", Conv)):
            if lever not in levers:
                continue
            t0 = time.perf_counter()
            s = geo_scores(make(), train, np.concatenate([test, train]), a.epochs, a.seed)
            s_test, s_train = s[:len(test)], s[len(test):]
            secs = time.perf_counter() - t0
            emit({"class": c, "lever": lever, "epochs": a.epochs, "auroc": roc_auc_score(y, s_test), "seconds": secs})
            comb = zscore(s_train, s_test) + zscore(raw_train, raw_test)
            emit({"class": c, "lever": lever + "+knn-raw", "auroc": roc_auc_score(y, comb)})


if __name__ == "__main__":
    main()
