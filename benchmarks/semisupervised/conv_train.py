"""Feasibility of a small convolutional classifier at few labels, in PyTorch 1.13 (docs/semi-supervised.md, round 10
preamble): conv 3×3 (1 → C1, stride s1, padding 1, ReLU) → conv 3×3 (C1 → C2, stride 2, padding 1, ReLU) → dense
(→ 128, ReLU, dropout 0.5) → softmax head, a shape the C# engine's Conv2dLayer builds. Adam 1e-3, labelled batch 32, L2
1e-4 on the weights, a fixed number of steps. Labelled images train on a weak view (mirror, move of up to --weak-shift
pixels); with --weight > 0 each step adds λ × the pseudo-label term of fixmatch_loss.py on 128 unlabelled images
(training images 0–19 999; strong view = mirror + move of up to --strong-shift + cut-out + noise), as fixmatch_train.py.
Draws and scored rows as vat_train.py (selection rows 40 000–49 999 unless --test).
Round 11 levers: --batch (labelled batch), --c1/--c2/--hidden (a wider network), --ema D (Mean Teacher: the pseudo-labels
come from a teacher whose weights are the exponential moving average, decay D, of the network's after each step; the
teacher is the model scored), --rotate A (the strong view is also rotated by an angle drawn uniformly in ±A degrees,
bilinear, zeros outside) and --contrast C (the strong view's contrast scaled by a factor drawn in [1 − C, 1 + C] about
the image's mean, and its brightness moved by a value drawn in ±C, clipped to [0, 1]). Every run with the term reports
the pseudo-labels' accuracy against the unlabelled images' true labels over the last 100 steps (training never sees them).
  /usr/bin/python3 benchmarks/semisupervised/conv_train.py --labels 100 --steps 1200 --seed 0 [--weight 1] [--test]"""
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
from fixmatch_train import augment  # noqa: E402
from vat_train import DATA_DIR, labels, start, unlabelled_indices  # noqa: E402


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


def rotate_and_jitter(x, rng, degrees, contrast, side=28):
    """Each row of x (n × side²) rotated by an angle in ±degrees (bilinear, zeros outside) and its contrast and brightness jittered by up to ±contrast."""
    n = x.shape[0]
    img = x.reshape(n, 1, side, side)
    if degrees > 0:
        a = torch.from_numpy(rng.uniform(-degrees, degrees, n) * np.pi / 180).float()
        theta = torch.stack([torch.stack([a.cos(), -a.sin(), torch.zeros(n)], 1), torch.stack([a.sin(), a.cos(), torch.zeros(n)], 1)], 1)
        img = F.grid_sample(img, F.affine_grid(theta, img.shape, align_corners=False), align_corners=False)
    img = img.reshape(n, side * side)
    if contrast > 0:
        c = torch.from_numpy(rng.uniform(1 - contrast, 1 + contrast, (n, 1))).float()
        b = torch.from_numpy(rng.uniform(-contrast, contrast, (n, 1))).float()
        mean = img.mean(1, keepdim=True)
        img = ((img - mean) * c + mean + b).clamp(0, 1)
    return img


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
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--ema", type=float, default=0.0)
    ap.add_argument("--rotate", type=float, default=0.0)
    ap.add_argument("--contrast", type=float, default=0.0)
    a, rng, (x, y, u), (ex, ey) = start(ap)
    net = ConvNet(a.c1, a.s1, a.c2, a.hidden)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    teacher = copy.deepcopy(net) if a.ema > 0 else net
    uy = torch.from_numpy(labels(os.path.join(DATA_DIR, "train-labels-idx1-ubyte.gz"))[:len(u)])
    batches = unlabelled_indices(len(u), a.unlabelled_batch, rng) if a.weight > 0 else None
    model = lambda t: net(t, False)  # noqa: E731  (the unlabelled views run without dropout)
    began, confident, right, step = time.time(), [], [], 0
    while step < a.steps:
        order = torch.from_numpy(rng.permutation(len(x)))
        for b in range(0, len(x), a.batch):
            if step == a.steps:
                break
            idx = order[b:b + a.batch]
            loss = F.cross_entropy(net(augment(x[idx], rng, a.weak_shift), True), y[idx]) + 0.5e-4 * sum((w * w).sum() for w in net.weights())
            if batches is not None:
                rows = next(batches)
                ub = u[rows]
                weak = augment(ub, rng, a.weak_shift)
                strong = augment(rotate_and_jitter(ub, rng, a.rotate, a.contrast), rng, a.strong_shift, a.cutout, a.noise)
                with torch.no_grad():
                    top, guess = F.softmax(teacher(weak, False), dim=1).max(dim=1)
                    sure = top >= a.threshold
                    confident.append(sure.float().mean().item())
                    right.append((sure & (guess == uy[rows])).float().sum().item() / max(int(sure.sum().item()), 1))
                loss = loss + pseudo_label_term(model, weak, strong, a.threshold, a.weight, teacher=lambda t: teacher(t, False))
            opt.zero_grad()
            loss.backward()
            opt.step()
            if a.ema > 0:
                with torch.no_grad():
                    for t, p in zip(teacher.parameters(), net.parameters()):
                        t.mul_(a.ema).add_(p, alpha=1 - a.ema)
            step += 1
    seconds = time.time() - began
    with torch.no_grad():
        score = lambda m: float(np.mean([(m(ex[i:i + 1000], False).argmax(1) == ey[i:i + 1000]).float().mean().item() for i in range(0, len(ex), 1000)]))  # noqa: E731
        acc, student = score(teacher), score(net)
    print(json.dumps({"method": "conv-fixmatch" if a.weight > 0 else "conv-supervised", "labels": a.labels, "seed": a.seed,
                      "steps": a.steps, "c1": a.c1, "s1": a.s1, "c2": a.c2, "hidden": a.hidden, "weakShift": a.weak_shift,
                      "threshold": a.threshold, "weight": a.weight, "batch": a.batch, "ema": a.ema, "rotate": a.rotate, "contrast": a.contrast, "scoredOn": "test" if a.test else "train:40000-49999",
                      "accuracy": acc, "studentAccuracy": student, "confidentShareLast100Steps": float(np.mean(confident[-100:])) if confident else None,
                      "pseudoLabelAccuracyLast100Steps": float(np.mean(right[-100:])) if right else None,
                      "seconds": round(seconds, 1)}), flush=True)


if __name__ == "__main__":
    main()
