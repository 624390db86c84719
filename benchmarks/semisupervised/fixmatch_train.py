"""Consistency training with pseudo-labels on augmented images (FixMatch) of the C# encoder classifier's network in
PyTorch 1.13, for the accuracy comparison of docs/semi-supervised.md: the network, recipe and labelled draw of
vat_train.py (784 → 512 → 256 → 20, standardised code, dropout 0.5, softmax head; Adam 1e-3, labelled batch 32, L2
1e-4, every labelled image trains for a fixed number of epochs); each labelled step trains on a weak view of its images
and adds λ × the pseudo-label term of fixmatch_loss.py on 128 unlabelled images (training images 0–19 999). Views as
the C# ImageAugmentation draws them: weak = mirror with probability ½ then a move of up to --weak-shift pixels; strong =
the same with --strong-shift, then a --cutout square set to 0 around a uniformly drawn pixel, then Gaussian noise.
  /usr/bin/python3 benchmarks/semisupervised/fixmatch_train.py --labels 100 --epochs 300 --seed 0 [--test]"""
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
from vat_train import Net, start, unlabelled_cycle  # noqa: E402


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
    a, rng, (x, y, u), (ex, ey) = start(ap)
    net = Net(x)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    weights = [l.weight for l in net.enc] + [net.head.weight]
    batches = unlabelled_cycle(u, 128, rng)
    model = lambda t: net(t, False)  # noqa: E731  (the unlabelled views run without dropout)
    began, confident = time.time(), []
    for _ in range(a.epochs):
        order = torch.from_numpy(rng.permutation(len(x)))
        for b in range(0, len(x), 32):
            idx = order[b:b + 32]
            ub = next(batches)
            weak, strong = augment(ub, rng, a.weak_shift), augment(ub, rng, a.strong_shift, a.cutout, a.noise)
            with torch.no_grad():
                confident.append((F.softmax(model(weak), dim=1).max(dim=1).values >= a.threshold).float().mean().item())
            loss = pseudo_label_term(model, weak, strong, a.threshold, a.weight)
            loss = loss + F.cross_entropy(net(augment(x[idx], rng, a.weak_shift), True), y[idx]) + 0.5e-4 * sum((w * w).sum() for w in weights)
            opt.zero_grad()
            loss.backward()
            opt.step()
    with torch.no_grad():
        acc = (net(ex).argmax(1) == ey).float().mean().item()
    print(json.dumps({"method": "fixmatch-scratch", "labels": a.labels, "seed": a.seed, "epochs": a.epochs, "threshold": a.threshold,
                      "weight": a.weight, "scoredOn": "test" if a.test else "train:40000-49999", "accuracy": acc,
                      "confidentShareLastEpoch": float(np.mean(confident[-(len(confident) // a.epochs):])),
                      "seconds": round(time.time() - began, 1)}))


if __name__ == "__main__":
    main()
