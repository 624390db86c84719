"""Adds the sixth round's held-out rows (M1+M2, M1's probe and the scratch network with the same 256-unit head) to
heldout-combined.json, the file the learning-curve picture is drawn from (mlae pretrain --redraw). The logreg rows
are left out: the same draws and seeds give the same numbers as the rows already there.
  python3 combine.py heldout-combined.json heldout-m1m2-floor.json"""
import json
import sys

combined_path, new_path = sys.argv[1], sys.argv[2]
combined = json.load(open(combined_path))
names = {"m1m2": ("m1m2", "β = 1"), "probe": ("M1 probe", "256-unit head"), "scratch": ("scratch", "256-unit head")}
kept = [r for r in combined["runs"] if r["kind"] not in {k for k, _ in names.values()}]
for r in json.load(open(new_path))["runs"]:
    if r["mode"] in names:
        kind, mode = names[r["mode"]]
        kept.append(dict(r, kind=kind, mode=mode))
combined["runs"] = kept
json.dump(combined, open(combined_path, "w"), indent=1)
print(f"{len(kept)} runs in {combined_path}")
