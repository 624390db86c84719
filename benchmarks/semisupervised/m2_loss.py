"""One batch of the M1+M2 objective from given weights, for the C# fidelity test.
Arguments: a float32 file (labelled features s, unlabelled features u, labelled noise, unlabelled noise, then each dense
layer's weight out×in and bias: the head's, M2's encoder's, M2's decoder's), the head's, encoder's and decoder's
layers each as "in,out,Activation;..." joined by "|", the labels "0,1,...", "labelled rows,unlabelled rows,features,
latent,classes", β, λ (L2 on the head's weights).
Prints the M2 term and the whole objective (cross-entropy of the head + ½λ‖W‖² + the term)."""
import sys

import torch
import torch.nn.functional as F

from m2_common import m2_term
from vat_common import Floats, forward


def main(args):
    path, spec, labels, shape, weight, l2 = args
    n, m, d, zdim, k = (int(t) for t in shape.split(","))
    f = Floats(path)
    take = f.take
    s, u, el, eu = take(n, d), take(m, d), take(n, zdim), take(m * k, zdim)
    nets = []
    for part in spec.split("|"):
        layers = []
        for item in part.split(";"):
            i, j, act = item.split(",")
            layers.append((take(int(j), int(i)), take(int(j)), act.lower()))
        nets.append(layers)
    f.done()
    head, encoder, decoder = nets
    y = torch.tensor([int(t) for t in labels.split(",")])
    term = m2_term(head, encoder, decoder, s, y, u, el, eu, k, float(weight))
    ce = F.cross_entropy(forward(head, s), y)
    reg = 0.5 * float(l2) * sum((w * w).sum() for w, _, _ in head)
    print(f"{term.item():.12g} {(ce + reg + term).item():.12g}")


if __name__ == "__main__":
    main(sys.argv[1:])
