#!/usr/bin/python3
"""Reads the raw outputs run.sh collected (NAME.out / .err / .time / .rc / .cmd per run), picks the best thread count
of each side, computes ratios and training GFLOP/s, prints a markdown report and writes it with a JSON twin.
Called by benchmarks/run.sh; see benchmarks/README.md for what each figure means."""
import argparse
import datetime
import glob
import json
import os
import re
import subprocess

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def dense_train_flops(layers, n):
    """FLOPs of one training epoch over n samples for dense layers [(in, out), ...] (first layer first):
    per sample and layer, forward 2·in·out, weight gradient 2·in·out, input gradient 2·in·out (none for the first
    layer, whose input is the data). Bias, activations, loss and optimiser updates are O(in+out) or O(parameters)
    per step and left out (< 1 % here). The partial last batch is counted exactly because the count is per sample."""
    per_sample = sum(6 * i * o for i, o in layers) - 2 * layers[0][0] * layers[0][1]
    return per_sample * n


AE_LAYERS = [(784, 256), (256, 128), (128, 20), (20, 128), (128, 256), (256, 784)]
VAE_LAYERS = [(784, 128), (128, 40), (20, 128), (128, 784)]  # 128 -> 40 is the mu and log-variance heads together
TRAIN_ROWS = 60000


def read(path, default=None):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return default


def last_json(text):
    for line in reversed((text or "").splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                return json.loads(line)
            except ValueError:
                continue
    return None


def time_report(text):
    """Peak RSS (MB) and wall seconds from /usr/bin/time -v."""
    out = {}
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text or "")
    if m:
        out["peakRssMb"] = round(int(m.group(1)) / 1024.0, 1)
    m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", text or "")
    if m:
        secs = 0.0
        for part in m.group(1).split(":"):
            secs = secs * 60 + float(part)
        out["wallSeconds"] = round(secs, 2)
    return out


def failure_message(err):
    lines = [ANSI.sub("", l).strip() for l in (err or "").splitlines()]
    lines = [l for l in lines if l]
    for l in lines:
        if re.search(r"error|unrecognized|unknown|not found|exception", l, re.I):
            return l[:240]
    return (lines[-1][:240] if lines else "no output")


def load_run(work, name):
    """One run: its JSON line, exit code, command, peak RSS and wall time, or None when it was not run."""
    rc = read(os.path.join(work, name + ".rc"))
    if rc is None:
        return None
    run = {"name": name, "command": (read(os.path.join(work, name + ".cmd")) or "").strip(), "exitCode": int(rc.strip())}
    run.update(time_report(read(os.path.join(work, name + ".time"))))
    data = last_json(read(os.path.join(work, name + ".out")))
    if run["exitCode"] != 0 or data is None:
        run["error"] = failure_message(read(os.path.join(work, name + ".err")))
        if run["exitCode"] == 0:
            run["error"] = "no JSON line on stdout; " + run["error"]
        return run
    run["json"] = data
    return run


def train_side(work, prefix, threads, ours):
    """All runs of one side of a training comparison, and the fastest (lowest mean seconds per epoch)."""
    runs = []
    for t in threads:
        r = load_run(work, f"{prefix}-t{t}")
        if r is None:
            continue
        r["threads"] = t
        j = r.pop("json", None)
        if j is not None:
            secs = [e["seconds"] for e in j["epochs"]] if ours else j["secondsPerEpoch"]
            r["secondsPerEpoch"] = secs
            r["meanSecondsPerEpoch"] = sum(secs) / len(secs)
            if len(secs) > 1:
                r["meanSecondsPerEpochAfterFirst"] = sum(secs[1:]) / (len(secs) - 1)
            r["trainLoss"] = j["epochs"][-1]["trainLoss"] if ours else j["trainLoss"]
            for k in ("testMse", "negElbo", "reconstruction", "kl", "parameters", "gemm", "blas", "torch"):
                if k in j:
                    r[k] = j[k]
        runs.append(r)
    ok = [r for r in runs if "meanSecondsPerEpoch" in r]
    side = {"available": bool(ok), "runs": runs}
    if ok:
        side["best"] = min(ok, key=lambda r: r["meanSecondsPerEpoch"])
    elif runs:
        side["error"] = runs[0].get("error", "failed")
    return side


def training_section(work, kind, epochs, threads, layers):
    flops = dense_train_flops(layers, TRAIN_ROWS)
    sec = {"epochs": epochs, "layers": layers, "trainFlopsPerEpoch": flops,
           "ours": train_side(work, f"{kind}-ours", threads, True),
           "pytorch": train_side(work, f"{kind}-torch", threads, False)}
    for side in ("ours", "pytorch"):
        b = sec[side].get("best")
        if b:
            b["trainGflops"] = round(flops / b["meanSecondsPerEpoch"] / 1e9, 2)
    o, p = sec["ours"].get("best"), sec["pytorch"].get("best")
    if o and p:
        sec["secondsRatio"] = o["meanSecondsPerEpoch"] / p["meanSecondsPerEpoch"]
        if "testMse" in o and "testMse" in p:
            sec["testMseRatio"] = o["testMse"] / p["testMse"]
    return sec


def pca_section(work):
    ours = {}
    for solver in ("randomized", "exact"):
        runs = [r for r in (load_run(work, n) for n in
                            sorted(os.path.basename(p)[:-3] for p in glob.glob(os.path.join(work, f"pca-ours-{solver}-r*.rc"))))
                if r is not None]
        ok = [r for r in runs if "json" in r]
        s = {"available": bool(ok), "runs": len(runs)}
        if ok:
            best = min(ok, key=lambda r: r["json"]["seconds"])
            s.update(seconds=best["json"]["seconds"], allSeconds=[r["json"]["seconds"] for r in ok],
                     testMse=best["json"].get("testMse"), explainedVarianceRatio=best["json"].get("explainedVarianceRatio"),
                     peakRssMb=max(r.get("peakRssMb", 0) for r in ok))
        elif runs:
            s["error"] = runs[0].get("error", "failed")
        ours[solver] = s
    sk = load_run(work, "pca-sklearn")
    sklearn = {"available": bool(sk and "json" in sk)}
    if sk and "json" in sk:
        sklearn.update(sk["json"]["solvers"])
        sklearn["peakRssMb"] = sk.get("peakRssMb")
        sklearn["threads"] = sk["json"].get("threads")
    elif sk:
        sklearn["error"] = sk.get("error")
    comparisons = []
    for mine, theirs in (("randomized", "randomized"), ("exact", "full"), ("exact", "randomized")):
        o, s = ours[mine], sklearn.get(theirs)
        if not (o["available"] and s):
            continue
        c = {"ours": mine, "sklearn": theirs, "secondsRatio": o["seconds"] / s["seconds"]}
        if o.get("explainedVarianceRatio"):
            k = min(len(o["explainedVarianceRatio"]), len(s["explainedVarianceRatio"]))
            c["maxAbsEvrDiff"] = max(abs(a - b) for a, b in zip(o["explainedVarianceRatio"][:k], s["explainedVarianceRatio"][:k]))
        comparisons.append(c)
    return {"ours": ours, "sklearn": sklearn, "comparisons": comparisons}


def gemm_section(work):
    r = load_run(work, "gemm")
    if r is None:
        return None
    if "json" not in r:
        return {"available": False, "error": r.get("error")}
    return {"available": True, **r["json"]}


# ---------------------------------------------------------------- markdown
def f(x, nd=3):
    return "–" if x is None else (f"{x:.{nd}f}" if isinstance(x, float) else str(x))


def ratio(x, nd=2):
    return "–" if x is None else f"{x:.{nd}f}"


def training_md(title, sec, gemm, extra_rows, goal):
    o, p = sec["ours"], sec["pytorch"]
    ob, pb = o.get("best", {}), p.get("best", {})
    lines = [f"### {title}", ""]
    if not o["available"]:
        lines.append(f"- **ours: not available** — {o.get('error', 'not run')}")
    if not p["available"]:
        lines.append(f"- **PyTorch: not available** — {p.get('error', 'not run')}")
    if lines[-1] != "":
        lines.append("")
    lines += ["| | ours (mlae) | PyTorch 1.13 | ours / PyTorch |", "|---|---|---|---|"]

    def row(label, key, nd=3, r=True):
        a, b = ob.get(key), pb.get(key)
        rr = ratio(a / b) if (r and isinstance(a, (int, float)) and isinstance(b, (int, float)) and b) else ""
        lines.append(f"| {label} | {f(a, nd)} | {f(b, nd)} | {rr} |")

    def by_threads(side):
        return ", ".join(f"T{r['threads']}: {r['meanSecondsPerEpoch']:.2f}" if "meanSecondsPerEpoch" in r
                         else f"T{r['threads']}: failed" for r in side["runs"]) or "–"

    def with_threads(b):
        return f"{f(b['meanSecondsPerEpoch'])} (T{b['threads']})" if b else "–"

    lines.append(f"| seconds/epoch, mean of {sec['epochs']} (best threads) | {with_threads(ob)} | {with_threads(pb)} "
                 f"| **{ratio(sec.get('secondsRatio'))}** |")
    lines.append(f"| seconds/epoch by threads | {by_threads(o)} | {by_threads(p)} | |")
    if sec["epochs"] > 1:
        row("seconds/epoch, epochs 2.. (best threads)", "meanSecondsPerEpochAfterFirst")
    row("final train loss (per sample)", "trainLoss", 3)
    row("test MSE (per pixel)", "testMse", 5)
    for label, key, nd in extra_rows:
        row(label, key, nd)
    row("peak RSS, MB (/usr/bin/time)", "peakRssMb", 0)
    row("process wall time, s", "wallSeconds", 1)
    row(f"training GFLOP/s ({sec['trainFlopsPerEpoch'] / 1e9:.1f} GFLOP/epoch)", "trainGflops", 1)
    if gemm and gemm.get("available"):
        pk = gemm.get("peakGflops", {})
        lines.append(f"| GEMM peak GFLOP/s (best case, any threads) | managed {f(pk.get('managed'), 1)} "
                     f"| cblas_sgemm {f(pk.get('openblas'), 1)} | |")
    lines += ["", goal + (f" Our GEMM engine: {ob['gemm']}." if ob.get("gemm") else ""), ""]
    return lines


def pca_md(sec):
    lines = ["### PCA, 20 components, Fashion-MNIST train 60000×784 (fit time, best of repeats)", ""]
    o, s = sec["ours"], sec["sklearn"]
    for solver in ("randomized", "exact"):
        if not o[solver]["available"]:
            lines.append(f"- **ours ({solver}): not available** — {o[solver].get('error', 'not run')}")
    if not s["available"]:
        lines.append(f"- **scikit-learn: not available** — {s.get('error', 'not run')}")
    if lines[-1] != "":
        lines.append("")
    lines += ["| solver (ours vs sklearn) | ours fit s | sklearn fit s | ours / sklearn | ours test MSE | sklearn test MSE | max abs Δ explained-variance ratio | ours peak RSS MB | sklearn peak RSS MB |",
              "|---|---|---|---|---|---|---|---|---|"]
    for mine, theirs in (("randomized", "randomized"), ("exact", "full")):
        a, b = o[mine], s.get(theirs, {}) if s["available"] else {}
        c = next((c for c in sec["comparisons"] if c["ours"] == mine and c["sklearn"] == theirs), {})
        lines.append(f"| {mine} vs {theirs} | {f(a.get('seconds'))} | {f(b.get('seconds'))} | **{ratio(c.get('secondsRatio'))}** "
                     f"| {f(a.get('testMse'), 5)} | {f(b.get('testMse'), 5)} | {f(c.get('maxAbsEvrDiff'), 6) if c.get('maxAbsEvrDiff') is not None else '–'} "
                     f"| {f(a.get('peakRssMb'), 0)} | {f(s.get('peakRssMb'), 0)} |")
    lines += ["", "Goal (issue 4): ours no slower than scikit-learn's randomized solver; EVR to 1e-4, test MSE to 1 %.", ""]
    return lines


def gemm_md(g):
    lines = ["### GEMM GFLOP/s (2·m·n·k / best time)", ""]
    if not g.get("available"):
        return lines + [f"**not available** — {g.get('error')}", ""]
    cols = []
    for r in g["results"]:
        key = (r["provider"], r["threads"])
        if key not in cols:
            cols.append(key)
    cases = []
    for r in g["results"]:
        if r["case"] not in cases:
            cases.append(r["case"])
    lines.append(f"{g.get('cpu', '')}, {g.get('logicalCpus', '?')} logical CPUs; provider `openblas` is cblas_sgemm.")
    lines.append("")
    lines.append("| case (m×n×k) | " + " | ".join(f"{p} T{t}" for p, t in cols) + " |")
    lines.append("|---|" + "---|" * len(cols))
    for c in cases:
        cells = []
        for p, t in cols:
            r = next((r for r in g["results"] if r["case"] == c and r["provider"] == p and r["threads"] == t), None)
            cells.append(f"{r['gflops']:.1f}" if r else "–")
        lines.append(f"| {c} | " + " | ".join(cells) + " |")
    lines.append("")
    return lines


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--work", required=True)
    ap.add_argument("--mode", default="timing")
    ap.add_argument("--ae-epochs", type=int, required=True)
    ap.add_argument("--vae-epochs", type=int, required=True)
    ap.add_argument("--threads", required=True, help='thread counts run, e.g. "1 2"')
    ap.add_argument("--sections", required=True)
    ap.add_argument("--json-out", required=True)
    ap.add_argument("--md-out", required=True)
    a = ap.parse_args()
    threads = [int(t) for t in a.threads.split()]
    sections = set(a.sections.split(","))

    try:
        commit = subprocess.run(["git", "-C", os.path.dirname(os.path.abspath(__file__)), "rev-parse", "--short", "HEAD"],
                                capture_output=True, text=True, timeout=10).stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        commit = None
    result = {
        "benchmark": "mlae-vs-references", "mode": a.mode,
        "timestamp": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "commit": commit, "threads": threads, "loadAverageAtEnd": list(os.getloadavg()),
        "loadAverageAtStart": (read(os.path.join(a.work, "loadavg.start")) or "").split()[:3],
        "rawOutputs": a.work,
    }
    gemm = gemm_section(a.work) if "gemm" in sections else None
    md = [f"## mlae benchmark ({a.mode}) — {result['timestamp']}" + (f", commit {commit}" if commit else ""), "",
          (f"Threads tried: {', '.join(map(str, threads))}; best thread count kept per side. " if a.mode == "timing"
           else f"One run per side at {threads[-1]} threads. ") +
          f"Load average at start/end: {' '.join(result['loadAverageAtStart']) or '?'} / "
          f"{' '.join(f'{x:.2f}' for x in result['loadAverageAtEnd'])}.", ""]
    if "ae" in sections:
        result["ae"] = training_section(a.work, "ae", a.ae_epochs, threads, AE_LAYERS)
        md += training_md("Autoencoder 784-256-128-20, batch 512, Adam 1e-3, Bernoulli CE", result["ae"], gemm, [],
                          "Goals (issue 2): seconds ratio ≤ 0.5; peak RSS ≤ 600 MB; after 20 epochs (--quality) test MSE ≤ 1.03 × PyTorch's and < PCA-20's 0.0187.")
    if "vae" in sections:
        result["vae"] = training_section(a.work, "vae", a.vae_epochs, threads, VAE_LAYERS)
        md += training_md("VAE 784-128-(20,20), batch 128, Adam 1e-3, Bernoulli + KL", result["vae"], gemm,
                          [("test negative ELBO (nats/sample)", "negElbo", 2), ("test reconstruction term", "reconstruction", 2),
                           ("test KL term", "kl", 2)],
                          "Goal (issue 3): after 10 epochs (--quality) test negElbo ≤ 248.5; epoch time beside PyTorch's.")
    if "pca" in sections:
        result["pca"] = pca_section(a.work)
        md += pca_md(result["pca"])
    if gemm is not None:
        result["gemm"] = gemm
        md += gemm_md(gemm)

    text = "\n".join(md).rstrip() + "\n"
    print(text)
    for path, content in ((a.json_out, json.dumps(result, indent=1) + "\n"), (a.md_out, text)):
        tmp = path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(content)
        os.replace(tmp, path)
    print(f"written: {a.json_out}, {a.md_out}")


if __name__ == "__main__":
    main()
