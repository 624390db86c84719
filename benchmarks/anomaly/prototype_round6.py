#!/usr/bin/python3
"""Feasibility check of round 6's lever (docs/anomaly/SCORERS-PROTOCOL.md, round 6), on the Fashion-MNIST VALIDATION
rows only: dense transformation prediction (784-256-128-T) over the 8 right-angle rotations and flips (T = 8, round 4's
geo-dense) against the same 8 combined with shifts of 0 / +-s pixels along each axis, the image mirrored at its border
(T = 72), each alone and added to the raw-pixel kNN distance (both standardised on the training rows). One thread.
Usage: /usr/bin/python3 benchmarks/anomaly/prototype_round6.py [--classes 6,2,4] [--shift 3] [--epochs 2] [--seed 0]"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import prototype_round4 as r4  # noqa: E402  (sets the thread counts first)
import argparse  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from sklearn.metrics import roc_auc_score  # noqa: E402

from fmnist import emit  # noqa: E402
from sklearn_anomaly import fashion_cases  # noqa: E402


def shifted(x, dy, dx, s):
    """x (n, 28, 28) moved by (dy, dx) pixels, the image mirrored at its border."""
    p = F.pad(x.unsqueeze(1), (s, s, s, s), mode="reflect").squeeze(1)
    return p[:, s - dy:s - dy + 28, s - dx:s - dx + 28]


def transforms(x, s):
    shifts = [(0, 0)] + [(dy, dx) for dy in (-s, 0, s) for dx in (-s, 0, s) if (dy, dx) != (0, 0)] if s > 0 else [(0, 0)]
    return [v for dy, dx in shifts for v in r4.transforms(shifted(x, dy, dx, s) if s > 0 else x)]


def geo_scores(train, test, classes, s, epochs, seed, batch=256, lr=1e-3):
    torch.manual_seed(seed)
    net = nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, classes))
    gen = torch.Generator().manual_seed(seed)
    views = torch.stack(transforms(torch.from_numpy(train).view(-1, 28, 28), s))  # (T, n, 28, 28)
    T, n = views.shape[0], views.shape[1]
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    for _ in range(epochs):
        perm = torch.randperm(n * T, generator=gen)
        for b in range(0, n * T, batch):
            idx = perm[b:b + batch]
            t, i = idx // n, idx % n
            loss = F.cross_entropy(net(views[t, i]), t)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
    with torch.no_grad():
        xt = torch.from_numpy(test).view(-1, 28, 28)
        score = torch.zeros(xt.shape[0])
        for t, v in enumerate(transforms(xt, s)):
            for b in range(0, v.shape[0], 2000):
                score[b:b + 2000] -= F.log_softmax(net(v[b:b + 2000]), dim=1)[:, t]
    return score.numpy()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--classes", default="6,2,4")
    p.add_argument("--shift", type=int, default=3)
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()
    torch.set_num_threads(1)
    for name, c, train, test, y in fashion_cases([int(c) for c in a.classes.split(",")], validation=True):
        raw_test = r4.knn_scores(train, test)
        raw_train = r4.knn_scores(train, train, k=6) * 6 / 5
        for s, epochs, classes in ((0, 10, 8), (a.shift, a.epochs, 72)):
            t0 = time.perf_counter()
            sc = geo_scores(train, np.concatenate([test, train]), classes, s, epochs, a.seed)
            st, sr = sc[:len(test)], sc[len(test):]
            lever = f"geo-{classes}"
            emit({"class": c, "lever": lever, "shift": s, "epochs": epochs, "auroc": roc_auc_score(y, st), "seconds": time.perf_counter() - t0})
            emit({"class": c, "lever": lever + "+knn-raw", "auroc": roc_auc_score(y, r4.zscore(sr, st) + r4.zscore(raw_train, raw_test))})


if __name__ == "__main__":
    main()
