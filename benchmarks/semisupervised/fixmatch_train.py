"""Consistency training with pseudo-labels on augmented images (FixMatch) of the C# encoder classifier's network in
PyTorch 1.13, for the accuracy comparison of docs/semi-supervised.md: the network, recipe and labelled draw of
vat_train.py (784 → 512 → 256 → 20, standardised code, dropout 0.5, softmax head; Adam 1e-3, labelled batch 32, L2
1e-4, every labelled image trains for a fixed number of epochs); each labelled step trains on a weak view of its images
and adds λ × the pseudo-label term of fixmatch_loss.py on 128 unlabelled images (training images 0–19 999). Views as
the C# ImageAugmentation draws them: weak = mirror with probability ½ then a move of up to --weak-shift pixels; strong =
the same with --strong-shift, then a --cutout square set to 0 around a uniformly drawn pixel, then Gaussian noise.
With --ema D (Mean Teacher, round 10) the pseudo-labels come from a teacher whose weights are the exponential moving
average (decay D) of the network's after each step; the teacher and the network are both scored. Every run also
reports the pseudo-labels' accuracy against the unlabelled images' true labels (a diagnostic; training never sees them).
  /usr/bin/python3 benchmarks/semisupervised/fixmatch_train.py --labels 100 --epochs 300 --seed 0 [--ema 0.99] [--test]"""
import copy
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import threads_env  # noqa: E402,F401  (first: one BLAS thread)
import argparse  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from fixmatch_loss import pseudo_label_term  # noqa: E402
from vat_train import DATA_DIR, Net, labels, start, unlabelled_indices  # noqa: E402


def augment(x, rng, shift, cutout=0, noise=0.0, side=28):
    """One view of each row of x (n × side²): mirror (p = ½), move by up to `shift` pixels (zeros move in), cut-out, noise."""
    n = x.shape[0]
    img = x.reshape(n, side, side)
    flip = torch.from_numpy(rng.integers(0, 2, n).astype(bool))
    img = torch.where(flip[:, None, None], img.flip(-1), img)
    if shift > 0:
        padded = F.pad(img, (shift, shift, shift, shift))
        d = rng.integers(-shift, shift + 1, (n, 2))
        img = torch.stack([padded[i, shift - dy:shift - dy + side, shift - dx:shift - dx + side] for i, (dy, dx) in enumerate(d)])
    else:
        img = img.clone()
    if cutout > 0:
        for i, (r, c) in enumerate(rng.integers(0, side, (n, 2))):
            img[i, max(r - cutout // 2, 0):max(r - cutout // 2 + cutout, 0), max(c - cutout // 2, 0):max(c - cutout // 2 + cutout, 0)] = 0
    out = img.reshape(n, side * side)
    return out + noise * torch.randn_like(out) if noise > 0 else out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=300)
    ap.add_argument("--threshold", type=float, default=0.95)
    ap.add_argument("--weight", type=float, default=1.0)
    ap.add_argument("--weak-shift", type=int, default=0)
    ap.add_argument("--strong-shift", type=int, default=2)
    ap.add_argument("--cutout", type=int, default=8)
    ap.add_argument("--noise", type=float, default=0.1)
    ap.add_argument("--ema", type=float, default=0.0, help="Mean Teacher: decay of the teacher's moving average (0 = the network labels itself)")
    a, rng, (x, y, u), (ex, ey) = start(ap)
    uy = torch.from_numpy(labels(os.path.join(DATA_DIR, "train-labels-idx1-ubyte.gz"))[:len(u)])
    net = Net(x)
    teacher = copy.deepcopy(net) if a.ema > 0 else net
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    weights = [l.weight for l in net.enc] + [net.head.weight]
    batches = unlabelled_indices(len(u), 128, rng)
    model = lambda t: net(t, False)  # noqa: E731  (the unlabelled views run without dropout)
    began, confident, right = time.time(), [], []
    for _ in range(a.epochs):
        order = torch.from_numpy(rng.permutation(len(x)))
        for b in range(0, len(x), 32):
            idx = order[b:b + 32]
            rows = next(batches)
            ub = u[rows]
            weak, strong = augment(ub, rng, a.weak_shift), augment(ub, rng, a.strong_shift, a.cutout, a.noise)
            with torch.no_grad():
                q = F.softmax(teacher(weak, False), dim=1)
                top, guess = q.max(dim=1)
                sure = top >= a.threshold
                confident.append(sure.float().mean().item())
                right.append((sure & (guess == uy[rows])).float().sum().item() / max(int(sure.sum().item()), 1))
            loss = pseudo_label_term(model, weak, strong, a.threshold, a.weight, teacher=lambda t: teacher(t, False))
            loss = loss + F.cross_entropy(net(augment(x[idx], rng, a.weak_shift), True), y[idx]) + 0.5e-4 * sum((w * w).sum() for w in weights)
            opt.zero_grad()
            loss.backward()
            opt.step()
            if a.ema > 0:
                with torch.no_grad():
                    for t, s in zip(teacher.parameters(), net.parameters()):
                        t.mul_(a.ema).add_(s, alpha=1 - a.ema)
    with torch.no_grad():
        acc = (net(ex).argmax(1) == ey).float().mean().item()
        teacher_acc = (teacher(ex).argmax(1) == ey).float().mean().item()
    last = len(confident) // a.epochs
    print(json.dumps({"method": "meanteacher-scratch" if a.ema > 0 else "fixmatch-scratch", "labels": a.labels, "seed": a.seed, "epochs": a.epochs,
                      "threshold": a.threshold, "weight": a.weight, "ema": a.ema, "scoredOn": "test" if a.test else "train:40000-49999",
                      "accuracy": teacher_acc if a.ema > 0 else acc, "studentAccuracy": acc,
                      "confidentShareLastEpoch": float(np.mean(confident[-last:])), "pseudoLabelAccuracyLastEpoch": float(np.mean(right[-last:])),
                      "seconds": round(time.time() - began, 1)}))


if __name__ == "__main__":
    main()
