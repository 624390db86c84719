#!/usr/bin/python3
"""Tables of benchmarks/engines.sh: seconds per epoch (median over the epochs after the first, which holds one-off
start-up costs; the first epoch is listed apart), peak resident memory (/usr/bin/time), test quality, and the load
average before each case; ratios against plain TorchSharp code at the same thread count and round."""
import argparse
import glob
import json
import os
import re
import statistics


def last_json(path):
    for line in reversed(open(path).read().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            return json.loads(line)
    return None


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--work", required=True)
    p.add_argument("--epochs", type=int, required=True)
    p.add_argument("--json-out", required=True)
    p.add_argument("--md-out", required=True)
    a = p.parse_args()
    cases = []
    for rc_path in sorted(glob.glob(os.path.join(a.work, "*.rc"))):
        name = os.path.basename(rc_path)[:-3]
        m = re.match(r"(ae|vae|conv)-(managed|torchsharp|plain-torchsharp|pytorch)-t(\d+)-r(\d+)$", name)
        if not m:
            continue
        base = os.path.join(a.work, name)
        case = {"model": m[1], "engine": m[2], "threads": int(m[3]), "round": int(m[4]),
                "exitCode": int(open(rc_path).read()), "loadBefore": open(base + ".load").read().split()}
        out = last_json(base + ".out") if case["exitCode"] == 0 else None
        if out is None:
            case["error"] = (open(base + ".err").read().strip().splitlines() or ["?"])[-1]
        else:
            secs = [e["seconds"] for e in out["epochs"]] if "epochs" in out and isinstance(out["epochs"], list) else out["secondsPerEpoch"]
            case["epochSeconds"] = secs
            case["secondsPerEpoch"] = statistics.median(secs[1:] if len(secs) > 1 else secs)
            case["testMse"] = out.get("testMse")
            if case["model"] == "vae":
                case["testNegElbo"] = out.get("negElbo")
        timing = open(base + ".time").read()
        rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", timing)
        case["peakRssMb"] = round(int(rss[1]) / 1024, 1) if rss else None
        cpu = [float(v) for v in re.findall(r"(?:User|System) time \(seconds\): ([\d.]+)", timing)]
        case["processCpuSeconds"] = round(sum(cpu), 2) if cpu else None
        cases.append(case)

    def find(model, engine, threads, rnd):
        return next((c for c in cases if (c["model"], c["engine"], c["threads"], c["round"]) == (model, engine, threads, rnd)), None)

    for c in cases:
        ref = find(c["model"], "plain-torchsharp", c["threads"], c["round"])
        if ref and "secondsPerEpoch" in ref and "secondsPerEpoch" in c:
            c["ratioToPlainTorchSharp"] = round(c["secondsPerEpoch"] / ref["secondsPerEpoch"], 3)
        torch = [t["secondsPerEpoch"] for t in cases if (t["model"], t["engine"], t["round"]) == (c["model"], "pytorch", c["round"]) and "secondsPerEpoch" in t]
        if torch and "secondsPerEpoch" in c:
            c["ratioToPyTorchFastest"] = round(c["secondsPerEpoch"] / min(torch), 3)
        ts = find(c["model"], "torchsharp", c["threads"], c["round"])
        if c["engine"] == "managed" and ts and "secondsPerEpoch" in ts and "secondsPerEpoch" in c:
            c["ratioToTorchSharpBackend"] = round(c["secondsPerEpoch"] / ts["secondsPerEpoch"], 3)
    json.dump({"epochs": a.epochs, "ompWaitPolicy": os.environ.get("OMP_WAIT_POLICY"), "cases": cases}, open(a.json_out, "w"), indent=1)

    lines = [f"# Engines: managed, TorchSharp backend, plain TorchSharp, PyTorch 1.13 ({a.epochs} epochs, interleaved)", "",
             "Seconds per epoch: median of epochs 2.. (epoch 1 in brackets). Ratios: against plain TorchSharp code at the same",
             "thread count; against PyTorch at its fastest thread count in the run; managed also against the TorchSharp backend. Load: the 1/5/15-minute load average before the case.",
             "CPU s: user + system seconds of the whole process (start-up, data loading, all epochs, test evaluation): on an",
             "overloaded machine a steadier measure of work done than wall-clock epochs.", "",
             "| model | threads | engine | s/epoch (epoch 1) | ÷ plain TorchSharp | ÷ PyTorch (fastest) | managed ÷ backend | peak MB | CPU s | test MSE | test −ELBO | load before |",
             "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for c in sorted(cases, key=lambda c: (c["model"], c["threads"], c["round"], ["managed", "torchsharp", "plain-torchsharp", "pytorch"].index(c["engine"]))):
        if "error" in c:
            lines.append(f"| {c['model']} | {c['threads']} | {c['engine']} | failed: {c['error'][:80]} | | | | | | | | {' '.join(c['loadBefore'])} |")
            continue
        lines.append("| {} | {} | {} | {:.3f} ({:.2f}) | {} | {} | {} | {} | {} | {:.5f} | {} | {} |".format(
            c["model"], c["threads"], c["engine"], c["secondsPerEpoch"], c["epochSeconds"][0],
            c.get("ratioToPlainTorchSharp", ""), c.get("ratioToPyTorchFastest", ""), c.get("ratioToTorchSharpBackend", ""), c["peakRssMb"], c["processCpuSeconds"], c["testMse"],
            f"{c['testNegElbo']:.2f}" if c.get("testNegElbo") is not None else "", " ".join(c["loadBefore"])))
    open(a.md_out, "w").write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
