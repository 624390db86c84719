"""The generative half of M1+M2 (Kingma et al. 2014) in PyTorch 1.13, as the C# encoder classifier computes it, so
that both give the same loss from the same weights, features and noise (see docs/semi-supervised.md)."""
import math

import torch
import torch.nn.functional as F

from vat_common import forward

# The floor of p(s|y, z)'s log-variance, as in the C# term: ln 0.01 (in float32).
MIN_LOG_VARIANCE = float(torch.tensor(0.01, dtype=torch.float32).log())


def negative_elbo(encoder, decoder, s, y, e, classes):
    """−ELBO(s, y) per row: Gaussian q(z|s, y) and p(s|y, z) with log-variances, prior N(0, I), uniform p(y)."""
    onehot = F.one_hot(y, classes).to(s.dtype)
    q = forward(encoder, torch.cat([s, onehot], dim=1))
    zdim = q.shape[1] // 2
    mu, v = q[:, :zdim], q[:, zdim:]
    z = mu + torch.exp(0.5 * v) * e
    p = forward(decoder, torch.cat([z, onehot], dim=1))
    d = s.shape[1]
    m, w = p[:, :d], torch.clamp(p[:, d:], min=MIN_LOG_VARIANCE)
    nll = (0.5 * math.log(2 * math.pi) + 0.5 * (w + (s - m) ** 2 * torch.exp(-w))).sum(dim=1)
    kl = 0.5 * (mu ** 2 + torch.exp(v) - 1 - v).sum(dim=1)
    return nll + kl + math.log(classes)


def m2_term(head, encoder, decoder, s, y, u, el, eu, classes, weight):
    """β × [mean_labelled −ELBO(s, y) + mean_unlabelled (Σ_y q(y|u)(−ELBO(u, y)) + Σ_y q log q)];
    eu holds K rows per unlabelled row, class y of row i at row i·K + y."""
    labelled = negative_elbo(encoder, decoder, s, y, el, classes).mean()
    m = u.shape[0]
    rows = u.repeat_interleave(classes, dim=0)
    ys = torch.arange(classes).repeat(m)
    l = negative_elbo(encoder, decoder, rows, ys, eu, classes).reshape(m, classes)
    logq = F.log_softmax(forward(head, u), dim=1)
    unlabelled = (logq.exp() * (l + logq)).sum(dim=1).mean()
    return weight * (labelled + unlabelled)
