"""Merges the JSON files of mlae pretrain runs into one (for mlae pretrain --redraw) and prints the table of
docs/semi-supervised.md: accuracy %, mean ± sample sd over seeds, per N and method.
  python3 summarize.py OUT.json IN.json...  """
import json
import statistics
import sys

out, paths = sys.argv[1], sys.argv[2:]
runs, first = [], None
for p in paths:
    d = json.load(open(p))
    first = first or d
    runs += d["runs"]
json.dump({"dataset": first["dataset"], "seeds": first["seeds"], "scoredOn": first["scoredOn"], "runs": runs}, open(out, "w"), indent=1)
cells = {}
for r in runs:
    cells.setdefault((r["labels"], r["mode"]), []).append(r)
modes = list(dict.fromkeys(r["mode"] for r in runs))
print("| N | " + " | ".join(modes) + " |")
print("|---:|" + "---:|" * len(modes))
for n in sorted({r["labels"] for r in runs}):
    row = []
    for m in modes:
        c = cells.get((n, m), [])
        a = [100 * r["accuracy"] for r in c]
        row.append(f"{statistics.mean(a):.2f} ± {statistics.stdev(a) if len(a) > 1 else 0:.2f}" if a else "")
    print(f"| {n} | " + " | ".join(row) + " |")
for (n, m), c in sorted(cells.items()):
    print(f"N={n} {m}: seconds per fit " + ", ".join(f"{r['seconds']:.0f}" for r in c))
