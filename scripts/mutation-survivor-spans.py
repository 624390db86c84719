#!/usr/bin/env python3
"""Prints a FILES value for scripts/mutation-test.sh that re-runs only the lines where an earlier run left mutants
alive: for each file of a Stryker JSON report, the character span {from..to} of every line with a Survived or
NoCoverage mutant (Stryker mutates only the mutants that lie inside a span).

    FILES=$(scripts/mutation-survivor-spans.py artifacts/mutation/Pca/reports/mutation-report.json) scripts/mutation-test.sh Pca

Several reports: pass them all; the spans are taken against the current sources, so run it before editing them.
--timeouts takes the lines of the Timeout mutants instead (to re-run them with a longer ADDITIONAL_TIMEOUT: on a loaded
machine a slow test session, not a looping mutant, can time out, and Stryker counts a timeout as a kill).
"""
import pathlib
import sys

from stryker_report import load, split

root = pathlib.Path(__file__).resolve().parent.parent
statuses = {"Survived", "NoCoverage"}
reports = sys.argv[1:]
if "--timeouts" in reports:
    reports.remove("--timeouts")
    statuses = {"Timeout"}
out = []
for report in reports:
    for path, f in sorted(load(report)["files"].items()):
        ranges = sorted({(m["location"]["start"]["line"], m["location"]["end"]["line"])
                         for m in f["mutants"] if m["status"] in statuses})
        if not ranges:
            continue
        library, rel = split(path)
        text = (root / library / rel).read_text(encoding="utf-8-sig")
        if any(ord(c) >= 0x10000 for c in text):
            sys.exit(f"{rel}: characters outside the BMP would shift Roslyn's UTF-16 offsets")
        starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"] + [len(text)]
        out.append(rel + "".join(f"{{{starts[a - 1]}..{starts[b]}}}" for a, b in ranges))
print(",".join(out))
