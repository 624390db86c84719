"""Shared training loop of the PyTorch reference scripts (AE and VAE)."""
import argparse
import os
import time

import torch

from fmnist import emit, load_fashion_mnist, peak_rss_mb
from threads_env import loaded_blas


def parse_args(description, batch):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--threads", type=int, default=1, help="torch intra-op threads")
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--batch", type=int, default=batch)
    p.add_argument("--lr", type=float, default=1e-3)
    a = p.parse_args()
    for name in ("threads", "epochs", "batch"):
        if getattr(a, name) < 1:
            p.error(f"--{name} must be at least 1")
    if not a.lr > 0:
        p.error("--lr must be positive")
    return a


def setup(args):
    """Threads and seed; returns (train, test) as float32 tensors."""
    torch.set_num_threads(args.threads)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass
    torch.manual_seed(args.seed)
    train, test = load_fashion_mnist()
    return torch.from_numpy(train), torch.from_numpy(test)


def train(model, loss_fn, x, args):
    """Adam, minibatches of args.batch reshuffled every epoch, last partial batch kept (like the C# trainer).
    loss_fn(model, batch) returns the loss summed over the batch's rows; the step uses its batch mean.
    Returns (seconds per epoch, mean training loss per sample of each epoch)."""
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    gen = torch.Generator().manual_seed(args.seed)
    n = x.shape[0]
    seconds, losses = [], []
    model.train()
    for _ in range(args.epochs):
        t0 = time.perf_counter()
        perm = torch.randperm(n, generator=gen)
        total = torch.zeros((), dtype=torch.float64)
        for s in range(0, n, args.batch):
            xb = x[perm[s:s + args.batch]]
            loss_sum = loss_fn(model, xb)
            opt.zero_grad(set_to_none=True)
            (loss_sum / xb.shape[0]).backward()
            opt.step()
            total += loss_sum.detach()
        seconds.append(time.perf_counter() - t0)
        losses.append(total.item() / n)
    return seconds, losses


def summary(side, args, seconds, losses, parameters, **metrics):
    out = {
        "impl": side, "threads": args.threads, "batch": args.batch, "epochs": len(seconds),
        "torch": torch.__version__, "blas": loaded_blas(),
        "ompWaitPolicy": os.environ.get("OMP_WAIT_POLICY"), "parameters": parameters,
        "secondsPerEpoch": [round(s, 4) for s in seconds],
        "meanSecondsPerEpoch": sum(seconds) / len(seconds),
        "trainLoss": losses[-1], "trainLossHistory": losses,
    }
    out.update(metrics)
    out["peakRssMb"] = round(peak_rss_mb(), 1)
    return out


def fit_bce_autoencoder(side, model, args, x, test, layers):
    """Trains an autoencoder whose output is logits with Bernoulli cross-entropy (summed over pixels), then emits the
    summary line with the test MSE of sigmoid(output) against the test pixels."""
    bce = torch.nn.BCEWithLogitsLoss(reduction="sum")
    seconds, losses = train(model, lambda m, xb: bce(m(xb), xb), x, args)
    model.eval()
    with torch.no_grad():
        test_mse = torch.mean((torch.sigmoid(model(test)) - test) ** 2).item()
    emit(summary(side, args, seconds, losses, sum(p.numel() for p in model.parameters()), layers=layers, testMse=test_mse))
