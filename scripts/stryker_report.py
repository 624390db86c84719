"""What the mutation scripts read from Stryker's JSON report (the mutation-testing-elements schema), in one place:
scripts/mutation-test.sh's summary, mutation-survivor-spans.py and mutation-before-after.py."""
import json


def load(report):
    return json.load(open(report))


def relative(path):
    """A report's file path relative to src/MLNetAutoencoders/ (as FILES and the summaries name files)."""
    return path.split("src/MLNetAutoencoders/")[-1]


def score(counts):
    """(valid, killed, survived, no coverage, score in %) from a Counter of mutant statuses; a timeout counts as
    killed, as Stryker counts it."""
    killed = counts["Killed"] + counts["Timeout"]
    valid = killed + counts["Survived"] + counts["NoCoverage"]
    return valid, killed, counts["Survived"], counts["NoCoverage"], (100.0 * killed / valid if valid else float("nan"))


def code_cell(text):
    """A Markdown table cell holding code: pipes escaped, cut to 90 characters, in backticks."""
    return "`" + text.replace("|", "\\|")[:90] + "`"
