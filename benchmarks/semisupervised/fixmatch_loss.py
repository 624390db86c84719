"""One batch of the consistency (FixMatch) objective from given weights and augmented views, for the C# fidelity test.
Arguments: a float32 file (the labelled batch's weak view x, the unlabelled batch's weak and strong views, then each
dense layer's weight out×in and bias), the layers as "in,out,Activation,trained;...", the labels "0,1,...",
"labelled rows,unlabelled rows,features", τ, λ, λ_L2. Prints the pseudo-label term and the whole objective
(cross-entropy + ½λ_L2‖W‖² over trained weights + the term)."""
import sys

import torch
import torch.nn.functional as F

from vat_common import Floats, forward, l2_penalty, take_classifier


def pseudo_label_term(model, weak, strong, threshold, weight, teacher=None):
    """λ × (1/M) Σ_j 1[max q_j ≥ τ] × −log p(argmax q_j | strong_j), with q = softmax(teacher(weak)) held fixed (teacher = model by default)."""
    with torch.no_grad():
        q = F.softmax((teacher or model)(weak), dim=1)
        top, target = q.max(dim=1)
        mask = (top >= threshold).double()
    ce = F.cross_entropy(model(strong), target, reduction="none")
    return weight * (mask * ce).sum() / weak.shape[0]


def main(args):
    path, spec, labels, shape, tau, weight, l2 = args
    n, m, d = (int(t) for t in shape.split(","))
    f = Floats(path)
    take = f.take
    x, weak, strong = take(n, d), take(m, d), take(m, d)
    layers, trained, y = take_classifier(f, spec, labels)
    model = lambda z: forward(layers, z)
    term = pseudo_label_term(model, weak, strong, float(tau), float(weight))
    ce = F.cross_entropy(model(x), y)
    reg = l2_penalty(layers, trained, float(l2))
    print(f"{term.item():.12g} {(ce + reg + term).item():.12g}")


if __name__ == "__main__":
    main(sys.argv[1:])
