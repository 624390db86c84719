#!/usr/bin/python3
"""Summarises anomaly-selection runs (docs/anomaly/SELECTION.md): reads JSON lines of `mlae anomaly --json` and
`sklearn_anomaly.py` (one file, any splits and seeds), averages each setting's AUROC over classes and seeds, and prints a
table per split, best first. Usage: /usr/bin/python3 benchmarks/anomaly_selection.py FILE.jsonl [FILE ...]"""
import json
import sys
from collections import defaultdict


def main():
    runs = defaultdict(list)  # (split, setting) -> [(seed, class, auroc)]
    for path in sys.argv[1:]:
        for line in open(path):
            if not line.strip():
                continue
            run = json.loads(line)
            split, seed = run.get("split", "test"), run["seed"]
            for row in run["rows"]:
                setting = row["method"] if run.get("impl") else f'{row["method"]} code {run["code"]}'
                runs[(split, setting)].append((seed, row["class"], row["auroc"]))
    for split in sorted({s for s, _ in runs}):
        table = []
        for (s, setting), rows in runs.items():
            if s != split:
                continue
            seeds = sorted({r[0] for r in rows})
            per_seed = [sum(r[2] for r in rows if r[0] == seed) / sum(1 for r in rows if r[0] == seed) for seed in seeds]
            mean = sum(per_seed) / len(per_seed)
            sd = (sum((x - mean) ** 2 for x in per_seed) / (len(per_seed) - 1)) ** 0.5 if len(per_seed) > 1 else 0.0
            table.append((mean, sd, setting, len(seeds), len({r[1] for r in rows})))
        print(f"split {split}: mean AUROC over classes, then over seeds (± sd over seeds)")
        for mean, sd, setting, n_seeds, n_classes in sorted(table, reverse=True):
            print(f"  {setting:<28} {mean:.4f} ± {sd:.4f}   ({n_seeds} seeds, {n_classes} classes)")


if __name__ == "__main__":
    main()
