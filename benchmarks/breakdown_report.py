#!/usr/bin/python3
"""Tables of benchmarks/breakdown.sh: the GEMM rates of every training shape (GemmPeak), one epoch phase by phase
(EpochBreakdown) per GEMM provider and thread count, and the epoch's roofline: its GEMM FLOPs at the best rate measured
in this run for each shape (any provider, the same thread count), divided by the measured epoch."""
import argparse
import json
import os
import re


def last_json(path):
    for line in reversed(open(path).read().splitlines()):
        if line.strip().startswith("{"):
            return json.loads(line)
    raise SystemExit(f"no JSON line in {path}")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--work", required=True)
    p.add_argument("--json-out", required=True)
    p.add_argument("--md-out", required=True)
    a = p.parse_args()
    load = lambda name: open(os.path.join(a.work, name + ".load")).read().split()
    gemm = last_json(os.path.join(a.work, "gemm.out"))
    # Best rate per (op, m, n, k, threads) over providers.
    best = {}
    for r in gemm["results"]:
        key = (("T" if r["transA"] else "N") + ("T" if r["transB"] else "N"), r["m"], r["n"], r["k"], r["threads"])
        best[key] = max(best.get(key, 0), r["gflops"])
    epochs = []
    for g in ("openblas", "managed"):
        path = os.path.join(a.work, f"epoch-{g}.out")
        if os.path.exists(path):
            for run in last_json(path)["runs"]:
                run["load"] = load(f"epoch-{g}")
                epochs.append(run)
    for run in epochs:
        roof = 0.0
        for ph in run["phases"]:
            m = re.match(r"GEMM (NN|NT|TN|TT) (\w+)x(\w+)x(\w+) ", ph["phase"])
            if not m:
                continue
            dims = [512 if d == "B" else int(d) for d in m.groups()[1:]]
            rate = best.get((m[1], *dims, run["threads"]))
            if rate is None:
                raise SystemExit(f"GemmPeak has no rate for {ph['phase']} at {run['threads']} threads")
            ph["bestGflops"] = rate
            roof += ph["gflop"] / rate
        run["rooflineSeconds"] = round(roof, 4)
        run["rooflineFraction"] = round(roof / run["epochSeconds"], 3)
    json.dump({"gemm": gemm, "gemmLoad": load("gemm"), "epochs": epochs}, open(a.json_out, "w"), indent=1)

    lines = ["# Where an epoch goes: reference AE 784-256-128-20, batch 512, Adam, BCE on logits", "",
             f"One run: GEMM rates first (load before/after {' '.join(load('gemm'))}), then one epoch per GEMM provider and",
             "thread count (the last of the epochs run; load before/after each provider's epochs in its heading).", "",
             "## GEMM rates on the training shapes (GFLOP/s, best of 3 repetitions)", "",
             "| shape (m×n×k, op) | " + " | ".join(f"{p} T{t}" for p, t in sorted({(r['provider'], r['threads']) for r in gemm['results']})) + " |",
             "|---|" + "---:|" * len({(r['provider'], r['threads']) for r in gemm['results']})]
    cols = sorted({(r["provider"], r["threads"]) for r in gemm["results"]})
    for case in dict.fromkeys(r["case"] for r in gemm["results"]):
        rates = {(r["provider"], r["threads"]): r["gflops"] for r in gemm["results"] if r["case"] == case}
        lines.append(f"| {case} | " + " | ".join(f"{rates.get(c, ''):.1f}" for c in cols) + " |")
    for run in epochs:
        lines += ["", f"## {run['gemm']} GEMM, {run['threads']} thread(s): epoch {run['epochSeconds']:.3f} s "
                  f"(load before/after {' '.join(run['load'])})", "",
                  f"GEMM FLOPs {run['gemmGflop']:.2f} GFLOP; at the best rate measured for each shape with {run['threads']} thread(s) "
                  f"they take {run['rooflineSeconds']:.3f} s: the epoch runs at **{run['rooflineFraction'] * 100:.0f} %** of that roofline. "
                  f"Allocated {run['allocatedBytes'] / 1024:.0f} KiB, {run['gcCount']} GCs ({run['gcPauseSeconds'] * 1000:.1f} ms paused).", "",
                  "| phase | seconds | share | GFLOP/s | best GFLOP/s for the shape |", "|---|---:|---:|---:|---:|"]
        for ph in run["phases"]:
            lines.append(f"| {ph['phase']} | {ph['seconds']:.3f} | {ph['share'] * 100:.1f} % | {ph['gflops'] if ph['gflops'] is not None else ''} | {ph.get('bestGflops', '')} |")
    open(a.md_out, "w").write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
