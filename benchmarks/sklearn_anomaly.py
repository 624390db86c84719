#!/usr/bin/python3
"""Python references for `mlae anomaly`: IsolationForest and OneClassSVM with default settings (no tuning on the
test labels), the mean distance to the 5 nearest training rows in the raw input (knn-raw) and a plain PyTorch
autoencoder (torch-ae: hidden 256-128 and code 16 for images, 16 and 8 for the table), on the same one-class protocol. Fashion-MNIST: for each class c, fit on the training images of class c,
score the 10 000 test images, AUROC with c normal and the nine others anomalies. Breast cancer: fit on the same 70 % of
the benign rows as `mlae anomaly` (the hash split below), standardised with those rows' statistics, score the other
benign rows and the test half of the malignant ones. --split validation scores held-out training rows instead, as
`mlae anomaly --split validation` does. Scores are -decision_function, the kNN distance, or the reconstruction error (higher = more anomalous). Prints one JSON line.
Usage: /usr/bin/python3 benchmarks/sklearn_anomaly.py [--dataset fashion-mnist|breast-cancer] [--classes 0,1] [--seed 0]
       [--split test|validation]"""
import threads_env  # noqa: F401  (first: sets the BLAS/OpenMP thread count before numpy loads)
import argparse
import gzip
import os
import struct
import time

import numpy as np
import sklearn
from sklearn.ensemble import IsolationForest
from sklearn.metrics import roc_auc_score
from sklearn.neighbors import NearestNeighbors
from sklearn.svm import OneClassSVM

from fmnist import DATA_DIR, emit, load_fashion_mnist

BREAST_CANCER = "/usr/lib/python3/dist-packages/sklearn/datasets/data/breast_cancer.csv"


def read_idx_labels(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    magic, n = struct.unpack(">II", raw[:8])
    if magic != 0x00000801:
        raise SystemExit(f"{path}: bad magic 0x{magic:08x}")
    return np.frombuffer(raw, dtype=np.uint8, offset=8)[:n].astype(np.int64)


def split_key(i, seed):
    """The C# command's sort key (AnomalyCommand.SplitKey): Knuth's multiplicative hash, XOR a multiple of the seed."""
    return (((i + 1) * 2654435761) % 2**32) ^ ((seed * 2246822519) % 2**32)


def fraction(count, share):
    return int(np.floor(share * count + 0.5))


def breast_cancer_case(seed, validation):
    data = np.loadtxt(BREAST_CANCER, delimiter=",", skiprows=1)
    x, y = data[:, :-1].astype(np.float32), data[:, -1].astype(np.int64)
    # The same split as the C# command: rows ordered by the hash key; 70 % of the benign rows for training, the first
    # half of the malignant rows for validation only, the second half for the test.
    ordered = lambda label: sorted((i for i in range(len(y)) if y[i] == label), key=lambda i: (split_key(i, seed), i))
    benign, malignant = ordered(1), ordered(0)
    half = len(malignant) // 2
    train = benign[:fraction(len(benign), 0.7)]
    test = benign[len(train):] + malignant[half:]
    if validation:
        fit = train[:fraction(len(train), 0.7)]
        test = train[len(fit):] + malignant[:half]
        train = fit
    train, test = np.array(train), np.array(test)
    mean = x[train].mean(axis=0, dtype=np.float64)
    std = x[train].std(axis=0, dtype=np.float64)
    std[std == 0] = 1
    scale = lambda m: ((m - mean) / std).astype(np.float32)
    return [("benign", 1, scale(x[train]), scale(x[test]), (y[test] == 0).astype(int))]


def fashion_cases(classes, validation):
    train, test = load_fashion_mnist()
    ytrain = read_idx_labels(os.path.join(DATA_DIR, "train-labels-idx1-ubyte.gz"))
    ytest = read_idx_labels(os.path.join(DATA_DIR, "t10k-labels-idx1-ubyte.gz"))
    if validation:  # as `mlae anomaly --split validation`: fit on training images 0-49 999, score 50 000-59 999
        train, test, ytrain, ytest = train[:50000], train[50000:], ytrain[:50000], ytrain[50000:]
    return [(str(c), c, train[ytrain == c], test, (ytest != c).astype(int)) for c in classes]


class KnnRaw:
    """Mean Euclidean distance to the k nearest training rows in the raw input."""

    def __init__(self, k=5):
        self.k = k

    def fit(self, x):
        self.nn = NearestNeighbors(n_neighbors=self.k).fit(x)
        return self

    def score(self, x):
        return self.nn.kneighbors(x)[0].mean(axis=1)


class TorchAe:
    """A plain PyTorch autoencoder (ReLU, linear code); images: Bernoulli cross-entropy on logits, the table: squared
    error; Adam 1e-3; score = mean squared reconstruction error."""

    def __init__(self, images, seed):
        self.images, self.seed = images, seed

    def fit(self, x):
        import torch
        from torch import nn
        torch.manual_seed(self.seed)
        sizes = [x.shape[1], 256, 128, 16] if self.images else [x.shape[1], 16, 8]
        layers = []
        for a, b in zip(sizes[:-1], sizes[1:]):
            layers += [nn.Linear(a, b), nn.ReLU()]
        enc = layers[:-1]
        rev = sizes[::-1]
        dec = []
        for a, b in zip(rev[:-1], rev[1:]):
            dec += [nn.Linear(a, b), nn.ReLU()]
        self.net = nn.Sequential(*enc, *dec[:-1])
        loss = nn.BCEWithLogitsLoss() if self.images else nn.MSELoss()
        epochs, batch = (20, 512) if self.images else (200, 32)
        opt = torch.optim.Adam(self.net.parameters(), lr=1e-3)
        t = torch.from_numpy(x)
        g = torch.Generator().manual_seed(self.seed)
        for _ in range(epochs):
            for idx in torch.randperm(len(t), generator=g).split(batch):
                opt.zero_grad()
                loss(self.net(t[idx]), t[idx]).backward()
                opt.step()
        return self

    def score(self, x):
        import torch
        with torch.no_grad():
            out = self.net(torch.from_numpy(x))
            if self.images:
                out = torch.sigmoid(out)
            return ((out - torch.from_numpy(x)) ** 2).mean(dim=1).numpy()


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--dataset", default="fashion-mnist", choices=["fashion-mnist", "breast-cancer"])
    p.add_argument("--classes", default="0,1,2,3,4,5,6,7,8,9")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--methods", default="isolation-forest,one-class-svm")
    p.add_argument("--split", default="test", choices=["test", "validation"])
    a = p.parse_args()
    validation = a.split == "validation"
    cases = (breast_cancer_case(a.seed, validation) if a.dataset == "breast-cancer"
             else fashion_cases([int(c) for c in a.classes.split(",")], validation))
    images = a.dataset == "fashion-mnist"
    makers = {"isolation-forest": lambda: IsolationForest(random_state=a.seed), "one-class-svm": lambda: OneClassSVM(),
              "knn-raw": lambda: KnnRaw(5), "torch-ae": lambda: TorchAe(images, a.seed)}
    rows = []
    for name, c, xtrain, xtest, anomaly in cases:
        for method in a.methods.split(","):
            t0 = time.perf_counter()
            model = makers[method]().fit(xtrain)
            fit = time.perf_counter() - t0
            scores = model.score(xtest) if isinstance(model, (KnnRaw, TorchAe)) else -model.decision_function(xtest)
            auroc = roc_auc_score(anomaly, scores)
            total = time.perf_counter() - t0
            rows.append({"method": method, "class": c, "auroc": float(auroc), "fitSeconds": round(fit, 3), "fitScoreSeconds": round(total, 3)})
    emit({"impl": "sklearn-anomaly", "sklearn": sklearn.__version__, "dataset": a.dataset, "split": a.split, "seed": a.seed, "rows": rows})


if __name__ == "__main__":
    main()
