"""One batch of the virtual adversarial objective from given weights, for the C# fidelity test.
Arguments: a float32 file (x, u, direction, then each dense layer's weight out×in and bias), the layers as
"in,out,Activation,trained;...", the labels "0,1,...", "labelled rows,unlabelled rows,features", ε, ξ, α, λ (L2).
Prints the VAT penalty and the whole objective (cross-entropy + ½λ‖W‖² over trained weights + penalty)."""
import sys

import torch
import torch.nn.functional as F

from vat_common import Floats, forward, l2_penalty, take_classifier, vat_penalty


def main(args):
    path, spec, labels, shape, eps, xi, alpha, l2 = args
    n, m, d = (int(t) for t in shape.split(","))
    f = Floats(path)
    take = f.take
    x, u, direction = take(n, d), take(m, d), take(m, d)
    layers, trained, y = take_classifier(f, spec, labels)
    model = lambda z: forward(layers, z)
    penalty = vat_penalty(model, u, direction, float(eps), float(xi), float(alpha))
    ce = F.cross_entropy(model(x), y)
    reg = l2_penalty(layers, trained, float(l2))
    print(f"{penalty.item():.12g} {(ce + reg + penalty).item():.12g}")


if __name__ == "__main__":
    main(sys.argv[1:])
