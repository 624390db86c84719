#!/usr/bin/python3
"""scikit-learn reference for PCA on Fashion-MNIST: fit time of PCA(n_components) on the 60000x784 training images with
svd_solver='randomized' and 'full' (best of --repeats each), explained-variance ratios, and the per-pixel test MSE of
the reconstruction inverse_transform(transform(test)). Prints one JSON line.
Usage: /usr/bin/python3 benchmarks/sklearn_pca.py --threads 2 --components 20 --repeats 3"""
import threads_env  # noqa: F401  (first: sets the BLAS/OpenMP thread count before numpy loads)
import argparse
import time

import numpy as np
import sklearn
from sklearn.decomposition import PCA

from fmnist import emit, load_fashion_mnist, peak_rss_mb


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--components", type=int, default=20)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--solvers", default="randomized,full")
    a = p.parse_args()
    for name in ("threads", "components", "repeats"):
        if getattr(a, name) < 1:
            p.error(f"--{name} must be at least 1")
    train, test = load_fashion_mnist()
    out = {"impl": "sklearn-pca", "sklearn": sklearn.__version__, "numpy": np.__version__,
           "blas": threads_env.loaded_blas(), "threads": a.threads, "components": a.components, "solvers": {}}
    for solver in a.solvers.split(","):
        times, pca = [], None
        for r in range(a.repeats):
            pca = PCA(n_components=a.components, svd_solver=solver, random_state=a.seed + r)
            t0 = time.perf_counter()
            pca.fit(train)
            times.append(time.perf_counter() - t0)
        rec = pca.inverse_transform(pca.transform(test))
        out["solvers"][solver] = {
            "seconds": min(times), "allSeconds": [round(t, 4) for t in times],
            "testMse": float(np.mean((rec - test) ** 2)),
            "explainedVarianceRatio": [float(v) for v in pca.explained_variance_ratio_],
        }
    out["peakRssMb"] = round(peak_rss_mb(), 1)
    emit(out)


if __name__ == "__main__":
    main()
