"""Shared helpers of the Python reference benchmarks: Fashion-MNIST from the Debian package's IDX files, timing, JSON."""
import gzip
import json
import os
import resource
import struct
import sys

import numpy as np

DATA_DIR = os.environ.get("FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist")


def read_idx_images(path):
    """uint8 IDX images (gzip) -> float32 array (n, rows*cols) scaled to [0, 1]."""
    if not os.path.exists(path):
        sys.exit(f"{path} not found; install it with: sudo apt-get install dataset-fashion-mnist")
    with gzip.open(path, "rb") as f:
        raw = f.read()
    if len(raw) < 16:
        sys.exit(f"{path}: truncated header ({len(raw)} bytes, expected at least 16)")
    magic, n, rows, cols = struct.unpack(">IIII", raw[:16])
    if magic != 0x00000803:
        sys.exit(f"{path}: bad magic 0x{magic:08x}, expected 0x00000803 (uint8 images)")
    need = 16 + n * rows * cols
    if len(raw) != need:
        sys.exit(f"{path}: {len(raw)} bytes, expected {need} for {n} images of {rows}x{cols}")
    x = np.frombuffer(raw, dtype=np.uint8, offset=16).reshape(n, rows * cols)
    return x.astype(np.float32) / np.float32(255.0)


def load_fashion_mnist():
    """(train, test) float32 pixel matrices, 60000x784 and 10000x784."""
    train = read_idx_images(os.path.join(DATA_DIR, "train-images-idx3-ubyte.gz"))
    test = read_idx_images(os.path.join(DATA_DIR, "t10k-images-idx3-ubyte.gz"))
    return train, test


def peak_rss_mb():
    """Peak resident set size of this process in MB (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def emit(obj):
    """Prints one JSON object on one line (the harness reads the last stdout line)."""
    print(json.dumps(obj, separators=(",", ":")), flush=True)
