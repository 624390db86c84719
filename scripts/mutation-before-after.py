#!/usr/bin/env python3
"""Before and after scores from ONE Stryker run made with DISABLE_BAIL=1 (every test covering a mutant is run, so a
killed mutant's killedBy lists every test that fails on it): "before" counts only the tests whose full name contains
none of the given substrings (the tests as they were), "after" counts them all.

    DISABLE_BAIL=1 FILES=... TEST_FILTER=... scripts/mutation-test.sh Autoencoders
    scripts/mutation-before-after.py artifacts/mutation/Autoencoders/reports/mutation-report.json \\
        AutoencoderMetricsTests. VaeTests.Interpolate_OfTwoSteps ...

Before, a mutant is killed when an old test fails on it, survives when old tests cover it but none fails, and has no
coverage when no old test covers it. A timed-out mutant counts as killed before when an old test covers it (which test
looped is not recorded). Prints one table row per file and the mutants only the new tests kill, with those tests.
"""
import collections
import sys

from stryker_report import code_cell, load, relative, score

report, new_patterns = sys.argv[1], sys.argv[2:]
r = load(report)
names = {}
for tf in r.get("testFiles", {}).values():
    for t in tf.get("tests", []):
        names[t["id"]] = t["name"]
is_new = lambda tid: any(p in names.get(tid, tid) for p in new_patterns)

rows = collections.defaultdict(lambda: {"before": collections.Counter(), "after": collections.Counter()})
gained = []
for path, f in sorted(r["files"].items()):
    rel = relative(path)
    lines = f["source"].split("\n")
    for m in f["mutants"]:
        st = m["status"]
        if st not in ("Killed", "Timeout", "Survived", "NoCoverage"):
            continue
        covered_old = any(not is_new(t) for t in m.get("coveredBy") or [])
        killed_old = any(not is_new(t) for t in m.get("killedBy") or [])
        if st == "Killed":
            before = "Killed" if killed_old else ("Survived" if covered_old else "NoCoverage")
        elif st == "Timeout":
            before = "Timeout" if covered_old else "NoCoverage"
        elif st == "Survived":
            before = "Survived" if covered_old else "NoCoverage"
        else:
            before = "NoCoverage"
        rows[rel]["before"][before] += 1
        rows[rel]["after"][st] += 1
        if before not in ("Killed", "Timeout") and st in ("Killed", "Timeout"):
            ln = m["location"]["start"]["line"]
            by = sorted({names.get(t, t).split(".")[-1] for t in m.get("killedBy") or []})
            gained.append((rel, ln, before, m["mutatorName"], m.get("replacement", ""), lines[ln - 1].strip(), ", ".join(by) or st))


print("| File | Run | Valid mutants | Killed + timeout | Survived | No coverage | Score |\n|---|---|---|---|---|---|---|")
for rel, c in rows.items():
    for run in ("before", "after"):
        v, k, s, n, sc = score(c[run])
        print(f"| {rel} | {run} | {v} | {k} | {s} | {n} | {sc:.1f} % |")
print("\n| File:line | Before | Mutator | Replacement | Original line | Killed by |\n|---|---|---|---|---|---|")
for rel, ln, before, mu, rep, src, by in gained:
    print(f"| {rel}:{ln} | {before} | {mu} | {code_cell(rep)} | {code_cell(src)} | {by} |")
