"""Adds held-out rows of a later round to heldout-combined.json, the file the learning-curve picture is drawn from
(mlae pretrain --redraw), each mode of the new file renamed to a (kind, mode) pair of the picture's legend; rows already
there under those names are replaced. The logreg rows are left out: the same draws and seeds give the same numbers as
the rows already there.
  python3 combine.py heldout-combined.json heldout-m1m2-floor.json                  (the sixth round's renaming)
  python3 combine.py heldout-combined.json new.json 'fixmatch-scratch=fixmatch:C2' 'scratch=scratch:fixed budget'"""
import json
import sys

combined_path, new_path = sys.argv[1], sys.argv[2]
pairs = sys.argv[3:] or ["m1m2=m1m2:β = 1", "probe=M1 probe:256-unit head", "scratch=scratch:256-unit head"]
names = {}
for pair in pairs:
    mode, renamed = pair.split("=", 1)
    names[mode] = tuple(renamed.split(":", 1))
combined = json.load(open(combined_path))
kept = [r for r in combined["runs"] if (r["kind"], r["mode"]) not in set(names.values())]
for r in json.load(open(new_path))["runs"]:
    if r["mode"] in names:
        kind, mode = names[r["mode"]]
        kept.append(dict(r, kind=kind, mode=mode))
combined["runs"] = kept
json.dump(combined, open(combined_path, "w"), indent=1)
print(f"{len(kept)} runs in {combined_path}")
