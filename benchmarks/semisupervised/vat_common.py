"""Virtual adversarial training (Miyato et al. 2018) in PyTorch 1.13: the objective as the C# encoder classifier
computes it, so that both give the same loss from the same weights (see docs/semi-supervised.md)."""
import numpy as np
import torch
import torch.nn.functional as F


class Floats:
    """A float32 file read front to back, as the C# fidelity tests write it: take(*shape) returns the next values as a
    float64 tensor of that shape; done() checks that every value was taken."""

    def __init__(self, path):
        self.values, self.offset = np.fromfile(path, dtype="<f4"), 0

    def take(self, *shape):
        count = int(np.prod(shape))
        block = self.values[self.offset:self.offset + count]
        self.offset += count
        return torch.from_numpy(block.reshape(shape).copy()).double()

    def done(self):
        assert self.offset == self.values.size, "the file holds more values than the layers take"


def take_classifier(f, spec, labels):
    """The classifier's dense layers from the file f (spec "in,out,Activation,trained;...", each weight out×in then its
    bias) and the labels "0,1,...": returns (layers, which are trained, labels as a tensor); checks that f is used up."""
    layers, trained = [], []
    for item in spec.split(";"):
        i, j, act, t = item.split(",")
        layers.append((f.take(int(j), int(i)), f.take(int(j)), act.lower()))
        trained.append(t == "1")
    f.done()
    return layers, trained, torch.tensor([int(t) for t in labels.split(",")])


def l2_penalty(layers, trained, l2):
    """½λ Σ‖W‖² over the trained layers' weights."""
    return 0.5 * l2 * sum((w * w).sum() for (w, _, _), t in zip(layers, trained) if t)


def forward(layers, x):
    """layers: list of (weight out×in, bias, activation name); returns the logits."""
    h = x
    for w, b, act in layers:
        h = h @ w.t() + b
        if act == "relu":
            h = torch.relu(h)
        elif act == "tanh":
            h = torch.tanh(h)
        elif act != "identity":
            raise ValueError(f"unknown activation {act}")
    return h


def kl_sum(p, logits):
    """Σ over rows of KL(p ‖ softmax(logits)), with 0 log 0 = 0."""
    logp = torch.where(p > 0, torch.log(p), torch.zeros_like(p))
    return (p * (logp - F.log_softmax(logits, dim=1))).sum()


def unit_rows(v):
    n = v.norm(dim=1, keepdim=True)
    return torch.where(n > 0, v / n, torch.zeros_like(v))


def vat_penalty(model, u, direction, epsilon, xi, weight):
    """α × mean over rows of KL(p(·|u) ‖ p(·|u + r)), r = ε · unit(∇_r KL at r = ξ · unit(direction)); p and r held fixed."""
    with torch.no_grad():
        p = F.softmax(model(u), dim=1)
    probe = (xi * unit_rows(direction)).requires_grad_(True)
    g, = torch.autograd.grad(kl_sum(p, model(u + probe)), probe)
    r = epsilon * unit_rows(g.detach())
    return weight * kl_sum(p, model(u + r)) / u.shape[0]
