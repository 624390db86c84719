"""What the mutation scripts read from Stryker's JSON report (the mutation-testing-elements schema), in one place:
scripts/mutation-test.sh's summary, mutation-survivor-spans.py and mutation-before-after.py."""
import json
import re


def load(report):
    return json.load(open(report))


def split(path):
    """A report's file path as (its library's source folder, e.g. src/MLNetAutoencoders.MLNet, the path inside it)."""
    m = re.search(r"(src/MLNetAutoencoders[^/]*)/(.*)$", path.replace("\\", "/"))
    return (m.group(1), m.group(2)) if m else ("", path)


def relative(path):
    """A report's file path relative to its library's source folder (as FILES and the summaries name files)."""
    return split(path)[1]


def score(counts):
    """(valid, killed, survived, no coverage, score in %) from a Counter of mutant statuses; a timeout counts as
    killed, as Stryker counts it."""
    killed = counts["Killed"] + counts["Timeout"]
    valid = killed + counts["Survived"] + counts["NoCoverage"]
    return valid, killed, counts["Survived"], counts["NoCoverage"], (100.0 * killed / valid if valid else float("nan"))


def code_cell(text):
    """A Markdown table cell holding code: pipes escaped, cut to 90 characters, in backticks."""
    return "`" + text.replace("|", "\\|")[:90] + "`"
