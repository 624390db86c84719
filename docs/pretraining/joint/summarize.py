#!/usr/bin/python3
"""Mean ± sample sd per (N, kind, mode, command) of the JSON lines of `mlae pretrain --json` runs (one file per seed):
   /usr/bin/python3 summarize.py heldout-*.json; /usr/bin/python3 summarize.py selection-*.json"""
import json, sys, statistics, collections
runs = []
for path in sys.argv[1:]:
    last = open(path).read().strip().splitlines()[-1]
    d = json.loads(last)
    for r in d["runs"]:
        r["file"] = path
        runs.append(r)
g = collections.defaultdict(list)
for r in runs:
    g[(r["labels"], r["kind"], r["mode"], r["file"].split("-s")[0])].append(r)
for k in sorted(g, key=lambda k: (k[0], k[3], k[2])):
    a = [100 * r["accuracy"] for r in g[k]]
    sd = statistics.stdev(a) if len(a) > 1 else 0
    print(f"{k[0]:5d} {k[3]:28s} {k[1]:10s} {k[2]:14s} {statistics.mean(a):6.2f} ± {sd:4.2f}  n={len(a)} seeds={sorted(r['seed'] for r in g[k])} epochs={[r['epochs'] for r in g[k]]}")
