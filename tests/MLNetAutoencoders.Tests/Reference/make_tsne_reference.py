#!/usr/bin/python3
"""Reference figures for the t-SNE test, computed with scikit-learn's exact TSNE.

Run with Debian's interpreter (scikit-learn 1.2, which ships the digits data):
    /usr/bin/python3 tests/MLNetAutoencoders.Tests/Reference/make_tsne_reference.py
It rewrites tsne_reference.json next to itself: for the first ROWS digits (64 pixel values 0-16, unscaled), scikit-learn's
TSNE(method="exact", perplexity=30, default schedule) with a PCA start and with a random start, several seeds each, and
per run the final KL divergence and the trustworthiness (5 neighbours) of the layout.
"""
import gzip, json, os, time
import numpy as np
import sklearn
from sklearn.manifold import TSNE, trustworthiness

HERE = os.path.dirname(os.path.abspath(__file__))
DIGITS = os.path.join(os.path.dirname(sklearn.__file__), "datasets", "data", "digits.csv.gz")
ROWS = 600
SEEDS = [0, 1, 2]

with gzip.open(DIGITS, "rt") as f:
    data = np.loadtxt(f, delimiter=",")
x = data[:ROWS, :-1].astype(np.float32)
runs = []
for init in ["pca", "random"]:
    for seed in SEEDS:
        t0 = time.time()
        t = TSNE(n_components=2, perplexity=30.0, method="exact", init=init, learning_rate="auto", random_state=seed)
        y = t.fit_transform(x)
        runs.append({"init": init, "seed": seed, "kl": float(t.kl_divergence_), "trustworthiness": float(trustworthiness(x, y, n_neighbors=5)),
                     "iterations": int(t.n_iter_), "seconds": round(time.time() - t0, 2)})
        print(runs[-1], flush=True)
out = {"sklearn": sklearn.__version__, "rows": ROWS, "perplexity": 30.0, "neighbors": 5, "runs": runs}
with open(os.path.join(HERE, "tsne_reference.json"), "w") as f:
    json.dump(out, f, indent=1)
