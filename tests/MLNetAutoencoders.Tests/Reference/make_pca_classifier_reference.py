#!/usr/bin/python3
"""Reference values for the Pca and Classifiers tests, computed with scikit-learn.

Run with Debian's interpreter (numpy, scikit-learn 1.2):
    /usr/bin/python3 tests/MLNetAutoencoders.Tests/Reference/make_pca_classifier_reference.py
It rewrites pca_reference.json, logreg_reference.json, metrics_reference.json and faces_reference.json next to
itself. Arrays are stored as {"shape": [...], "dtype": "f4"|"f8"|"i4", "b64": little-endian bytes in base64}.
The face set is read from $MLAE_FACES or /usr/local/share/mlnetautoencoders/lfw_subset.npy (scripts/setup.sh).
"""
import base64, json, os, sys
import numpy as np
import sklearn
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, log_loss, roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import StandardScaler

HERE = os.path.dirname(os.path.abspath(__file__))


def arr(a, dtype):
    a = np.ascontiguousarray(np.asarray(a, dtype=dtype))
    return {"shape": list(a.shape), "dtype": np.dtype(dtype).str[1:], "b64": base64.b64encode(a.tobytes()).decode()}


def flip(components):
    """The C# sign convention: the entry of largest magnitude of each component is positive (first on ties)."""
    c = np.array(components, dtype=np.float64)
    idx = np.argmax(np.abs(c), axis=1)
    signs = np.sign(c[np.arange(len(c)), idx])
    return c * signs[:, None]


def write(name, obj):
    obj["generator"] = "make_pca_classifier_reference.py, scikit-learn " + sklearn.__version__
    with open(os.path.join(HERE, name), "w") as f:
        json.dump(obj, f, indent=1)
        f.write("\n")


def pca_case(x, x_test, k):
    p = PCA(n_components=k, svd_solver="full").fit(x.astype(np.float64))
    recon = p.inverse_transform(p.transform(x_test.astype(np.float64)))
    return {
        "k": k,
        "mean": arr(p.mean_, "f8"),
        "components": arr(flip(p.components_), "f8"),
        "explained_variance": arr(p.explained_variance_, "f8"),
        "explained_variance_ratio": arr(p.explained_variance_ratio_, "f8"),
        "singular_values": arr(p.singular_values_, "f8"),
        "noise_variance": float(p.noise_variance_),
        "test_mse": float(np.mean((recon - x_test) ** 2)),
    }


def pca_reference(rng):
    # Structured data: 6 latent factors of decreasing scale, mixed into 24 columns, plus noise and an offset.
    n, d = 150, 24
    latent = rng.normal(size=(n + 50, 6)) * np.array([5.0, 3.0, 2.0, 1.2, 0.7, 0.4])
    mixing = rng.normal(size=(6, d))
    x = (latent @ mixing + 0.2 * rng.normal(size=(n + 50, d)) + rng.uniform(-1, 3, size=d)).astype(np.float32)
    train, test = x[:n], x[n:]
    wide = (rng.normal(size=(20, 30)) * np.linspace(3, 0.5, 30)).astype(np.float32)
    write("pca_reference.json", {
        "x": arr(train, "f4"), "x_test": arr(test, "f4"),
        "cases": [pca_case(train, test, 5), pca_case(train, test, 12)],
        "wide_x": arr(wide, "f4"), "wide": pca_case(wide, wide, 5),
    })


def logreg_case(x, y, c):
    m = LogisticRegression(C=c, solver="lbfgs", multi_class="multinomial", tol=1e-10, max_iter=10000).fit(x.astype(np.float64), y)
    return {
        "c": c,
        "coef": arr(m.coef_, "f8"), "intercept": arr(m.intercept_, "f8"),
        "proba": arr(m.predict_proba(x.astype(np.float64)), "f8"),
        "accuracy": float(accuracy_score(y, m.predict(x.astype(np.float64)))),
    }


def logreg_reference(rng):
    n, d, k = 240, 6, 3
    centres = rng.normal(size=(k, d)) * 1.5
    y = np.repeat(np.arange(k), n // k)
    x = (centres[y] + rng.normal(size=(n, d)) * 1.3).astype(np.float32)
    nb, db = 200, 4
    yb = (rng.uniform(size=nb) < 0.4).astype(np.int64)
    xb = (rng.normal(size=(nb, db)) + 1.1 * yb[:, None] * np.array([1.0, -0.5, 0.3, 0.0])).astype(np.float32)
    write("logreg_reference.json", {
        "multi": {"x": arr(x, "f4"), "y": arr(y, "i4"), **logreg_case(x, y, 0.5)},
        "binary": {"x": arr(xb, "f4"), "y": arr(yb, "i4"), **logreg_case(xb, yb, 1.0)},
    })


def metrics_reference(rng):
    n, k = 40, 3
    truth = rng.integers(0, k, size=n)
    logits = rng.normal(size=(n, k)) + 1.5 * np.eye(k)[truth]
    proba = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    proba = proba.astype(np.float32).astype(np.float64)
    pred = proba.argmax(axis=1)
    pred[:3] = (truth[:3] + 1) % k  # a few extra errors
    nb = 30
    tb = rng.integers(0, 2, size=nb)
    scores = np.round(np.clip(0.5 + 0.25 * (2 * tb - 1) + 0.3 * rng.normal(size=nb), 0.01, 0.99), 1)  # ties on purpose
    pb = np.stack([1 - scores, scores], axis=1).astype(np.float32).astype(np.float64)
    write("metrics_reference.json", {
        "multi": {
            "truth": arr(truth, "i4"), "pred": arr(pred, "i4"), "proba": arr(proba, "f4"),
            "accuracy": float(accuracy_score(truth, pred)),
            "macro_f1": float(f1_score(truth, pred, average="macro")),
            "log_loss": float(log_loss(truth, proba, eps=1e-15)),
            "confusion": arr(confusion_matrix(truth, pred), "i4"),
        },
        "binary": {
            "truth": arr(tb, "i4"), "scores": arr(scores, "f8"), "proba": arr(pb, "f4"),
            "pred": arr((scores >= 0.5).astype(int), "i4"),
            "roc_auc": float(roc_auc_score(tb, scores)),
            "log_loss": float(log_loss(tb, pb, eps=1e-15)),
            "macro_f1": float(f1_score(tb, (scores >= 0.5).astype(int), average="macro")),
        },
    })


def faces_reference():
    path = os.environ.get("MLAE_FACES") or "/usr/local/share/mlnetautoencoders/lfw_subset.npy"
    if not os.path.exists(path):
        sys.exit(f"{path} is missing: run `bash scripts/setup.sh` first")
    x = np.load(path).reshape(200, -1).astype(np.float64)
    y = np.r_[np.ones(100, int), np.zeros(100, int)]  # first 100 are faces
    result = {"protocol": "PCA-k fitted on each training fold -> StandardScaler -> LogisticRegression(C=1, lbfgs); "
                          "5-fold StratifiedKFold(shuffle=True, random_state=r), mean test accuracy over folds, "
                          "averaged over r = 0..9", "multinomial": {}, "binary": {}}
    for k in [1, 2, 3, 5, 10, 20]:
        for mode in ["multinomial", "binary"]:
            means = []
            for r in range(10):
                accs = []
                for tr, te in StratifiedKFold(5, shuffle=True, random_state=r).split(x, y):
                    p = PCA(k, svd_solver="full").fit(x[tr])
                    s = StandardScaler().fit(p.transform(x[tr]))
                    lr = LogisticRegression(C=1.0, multi_class="multinomial" if mode == "multinomial" else "ovr")
                    lr.fit(s.transform(p.transform(x[tr])), y[tr])
                    accs.append(accuracy_score(y[te], lr.predict(s.transform(p.transform(x[te])))))
                means.append(np.mean(accs))
            result[mode][str(k)] = float(np.mean(means))
    write("faces_reference.json", result)


if __name__ == "__main__":
    rng = np.random.default_rng(20240601)
    pca_reference(rng)
    logreg_reference(rng)
    metrics_reference(rng)
    faces_reference()
    print("wrote reference files to", HERE)
