"""Feasibility of a small convolutional classifier at few labels, in PyTorch 1.13 (docs/semi-supervised.md, round 10
preamble): conv 3×3 (1 → C1, stride s1, padding 1, ReLU) → conv 3×3 (C1 → C2, stride 2, padding 1, ReLU) → dense
(→ 128, ReLU, dropout 0.5) → softmax head, a shape the C# engine's Conv2dLayer builds. Adam 1e-3, labelled batch 32, L2
1e-4 on the weights, a fixed number of steps. Labelled images train on a weak view (mirror, move of up to --weak-shift
pixels); with --weight > 0 each step adds λ × the pseudo-label term of fixmatch_loss.py on 128 unlabelled images
(training images 0–19 999; strong view = mirror + move of up to --strong-shift + cut-out + noise), as fixmatch_train.py.
Draws and scored rows as vat_train.py (selection rows 40 000–49 999 unless --test).
  /usr/bin/python3 benchmarks/semisupervised/conv_train.py --labels 100 --steps 1200 --seed 0 [--weight 1] [--test]"""
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
from fixmatch_train import augment  # noqa: E402
from vat_train import start, unlabelled_cycle  # noqa: E402


class ConvNet(torch.nn.Module):
    def __init__(self, c1, s1, c2, hidden):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(1, c1, 3, s1, 1)
        self.conv2 = torch.nn.Conv2d(c1, c2, 3, 2, 1)
        side = (28 + 2 - 3) // s1 + 1
        side = (side + 2 - 3) // 2 + 1
        self.dense = torch.nn.Linear(c2 * side * side, hidden)
        self.head = torch.nn.Linear(hidden, 10)

    def forward(self, x, training):
        h = F.relu(self.conv1(x.reshape(-1, 1, 28, 28)))
        h = F.relu(self.conv2(h))
        h = F.relu(self.dense(h.flatten(1)))
        return self.head(F.dropout(h, 0.5, training))

    def weights(self):
        return [self.conv1.weight, self.conv2.weight, self.dense.weight, self.head.weight]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=1200)
    ap.add_argument("--c1", type=int, default=32)
    ap.add_argument("--s1", type=int, default=2)
    ap.add_argument("--c2", type=int, default=64)
    ap.add_argument("--hidden", type=int, default=128)
    ap.add_argument("--threshold", type=float, default=0.95)
    ap.add_argument("--weight", type=float, default=0.0)
    ap.add_argument("--weak-shift", type=int, default=2)
    ap.add_argument("--strong-shift", type=int, default=2)
    ap.add_argument("--cutout", type=int, default=8)
    ap.add_argument("--noise", type=float, default=0.1)
    ap.add_argument("--unlabelled-batch", type=int, default=128)
    ap.add_argument("--threads", type=int, default=1)
    a, rng, (x, y, u), (ex, ey) = start(ap)
    net = ConvNet(a.c1, a.s1, a.c2, a.hidden)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    batches = unlabelled_cycle(u, a.unlabelled_batch, rng) if a.weight > 0 else None
    model = lambda t: net(t, False)  # noqa: E731  (the unlabelled views run without dropout)
    began, confident, step = time.time(), [], 0
    while step < a.steps:
        order = torch.from_numpy(rng.permutation(len(x)))
        for b in range(0, len(x), 32):
            if step == a.steps:
                break
            idx = order[b:b + 32]
            loss = F.cross_entropy(net(augment(x[idx], rng, a.weak_shift), True), y[idx]) + 0.5e-4 * sum((w * w).sum() for w in net.weights())
            if batches is not None:
                ub = next(batches)
                weak, strong = augment(ub, rng, a.weak_shift), augment(ub, rng, a.strong_shift, a.cutout, a.noise)
                with torch.no_grad():
                    confident.append((F.softmax(model(weak), dim=1).max(dim=1).values >= a.threshold).float().mean().item())
                loss = loss + pseudo_label_term(model, weak, strong, a.threshold, a.weight)
            opt.zero_grad()
            loss.backward()
            opt.step()
            step += 1
    seconds = time.time() - began
    with torch.no_grad():
        acc = float(np.mean([(net(ex[i:i + 1000], False).argmax(1) == ey[i:i + 1000]).float().mean().item() for i in range(0, len(ex), 1000)]))
    print(json.dumps({"method": "conv-fixmatch" if a.weight > 0 else "conv-supervised", "labels": a.labels, "seed": a.seed,
                      "steps": a.steps, "c1": a.c1, "s1": a.s1, "c2": a.c2, "hidden": a.hidden, "weakShift": a.weak_shift,
                      "threshold": a.threshold, "weight": a.weight, "scoredOn": "test" if a.test else "train:40000-49999",
                      "accuracy": acc, "confidentShareLast100Steps": float(np.mean(confident[-100:])) if confident else None,
                      "seconds": round(seconds, 1)}), flush=True)


if __name__ == "__main__":
    main()
