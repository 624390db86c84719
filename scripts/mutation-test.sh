#!/usr/bin/env bash
# Mutation testing with Stryker.NET (pinned in .config/dotnet-tools.json): the core library against
# tests/MLNetAutoencoders.Tests, or (LIBRARY=mlnet / LIBRARY=torchsharp) the ML.NET or TorchSharp library against its own
# test project. Too slow for .ci/run: run it by hand.
#
#   scripts/mutation-test.sh                 # the core's four folders: Nn Autoencoders Pca Data (hours on 2 cores)
#   scripts/mutation-test.sh Nn              # one folder
#   TEST_FILTER='FullyQualifiedName~Nn' scripts/mutation-test.sh Nn   # also restrict the tests run per mutant
#   FILES=Nn/TrainingLoop.cs,Nn/ModelArchive.cs scripts/mutation-test.sh Nn   # only some files of the folder
#   FILES=$(scripts/mutation-survivor-spans.py artifacts/mutation/Nn/reports/mutation-report.json) scripts/mutation-test.sh Nn
#                                            # only the lines an earlier run left mutants alive on (Stryker's {from..to} spans)
#   LIBRARY=mlnet scripts/mutation-test.sh Stages        # src/MLNetAutoencoders.MLNet/Stages against the ML.NET tests
#   LIBRARY=torchsharp scripts/mutation-test.sh Export .  # TorchSharp's Export folder and its top-level files ("." alone)
#
# Folders are relative to the library's source folder; "." stands for the files directly in it (not its subfolders).
# Defaults: core Nn Autoencoders Pca Data; mlnet Stages Data Hosting Catalog; torchsharp Export Modules .
# Reports (HTML, JSON, log) go to artifacts/mutation/<folders>/ (core) or artifacts/mutation/<library>-<folders>/
# (ignored by git); a Markdown summary with the score and every surviving mutant is written next to them as summary.md
# (copy it to benchmarks/results/ to keep it).
# Environment: LIBRARY (core, mlnet or torchsharp; default core), CONCURRENCY (default 1), FILES (see above: names
# relative to the library's source folder), TEST_FILTER (a dotnet test --filter expression; default: core, every test of
# tests/MLNetAutoencoders.Tests except the slow real-data and ONNX Runtime classes; mlnet, every test but the command
# line's (Cli/); torchsharp, every test), ADDITIONAL_TIMEOUT (milliseconds added to
# each mutant's timeout, Stryker's "additional-timeout"; default Stryker's 5000: lower it to end looping mutants sooner on a
# slow test set), VERBOSITY (Stryker's log level: info by default; debug/trace also log each mutant's test session, and write
# the log to <output>/logs/ too, which shows the mutant a stalled run is stuck on), DISABLE_BAIL (1: run every test covering
# a mutant even after one failed, so the report's killedBy lists them all; scripts/mutation-before-after.py then gives the
# score without some tests, e.g. before the tests a change adds, from the same run).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
library=${LIBRARY:-core}
case "$library" in
  core) project=MLNetAutoencoders; prefix=''; default_folders=(Nn Autoencoders Pca Data)
        default_filter='FullyQualifiedName!~FashionMnist&FullyQualifiedName!~RealDataset&FullyQualifiedName!~Onnx&FullyQualifiedName!~SmallLabelledFashionMnist' ;;
  mlnet) project=MLNetAutoencoders.MLNet; prefix=mlnet-; default_folders=(Stages Data Hosting Catalog)
         default_filter='FullyQualifiedName!~MLNetAutoencoders.MLNet.Tests.Cli.' ;;
  torchsharp) project=MLNetAutoencoders.TorchSharp; prefix=torchsharp-; default_folders=(Export Modules .)
              default_filter='' ;;
  *) echo "LIBRARY must be core, mlnet or torchsharp, not '$library'" >&2; exit 2 ;;
esac
folders=("$@")
[ ${#folders[@]} -gt 0 ] || folders=("${default_folders[@]}")
for f in "${folders[@]}"; do
  [ -d "src/$project/$f" ] || { echo "no folder src/$project/$f" >&2; exit 2; }
done
name=$(IFS=-; echo "${folders[*]}")
name=$prefix${name//./top}
out="$root/artifacts/mutation/$name"
mkdir -p "$out"
filter=${TEST_FILTER-$default_filter}

# Stryker reads coverage analysis only from a config file: write one for this run.
config="$out/stryker-config.json"
{
  echo '{ "stryker-config": {'
  echo "  \"project\": \"$project.csproj\","
  echo "  \"test-projects\": [\"$project.Tests.csproj\"],"
  echo '  "configuration": "Release",'
  echo "  \"concurrency\": ${CONCURRENCY:-1},"
  echo '  "coverage-analysis": "perTest",'
  [ -z "$filter" ] || echo "  \"test-case-filter\": \"$filter\","
  [ -z "${ADDITIONAL_TIMEOUT:-}" ] || echo "  \"additional-timeout\": $ADDITIONAL_TIMEOUT,"
  [ -z "${VERBOSITY:-}" ] || echo "  \"verbosity\": \"$VERBOSITY\","
  [ "${DISABLE_BAIL:-0}" = 0 ] || echo '  "disable-bail": true,'
  echo '  "reporters": ["html", "json", "progress", "cleartext"],'
  echo '  "mutate": ['
  sep=''
  if [ -n "${FILES:-}" ]; then
    # FILES narrows the run to some files of the folder(s): names relative to src/<project>/, comma-separated.
    IFS=, read -ra files <<< "$FILES"
    for f in "${files[@]}"; do printf '%s    "**/src/%s/%s"' "$sep" "$project" "$f"; sep=$',\n'; done
  else
    for f in "${folders[@]}"; do
      if [ "$f" = . ]; then glob='*.cs'; else glob="$f/**/*.cs"; fi
      printf '%s    "**/src/%s/%s"' "$sep" "$project" "$glob"; sep=$',\n'
    done
  fi
  echo; echo '  ],'
  echo '  "thresholds": { "high": 85, "low": 60, "break": 0 }'
  echo '} }'
} > "$config"

dotnet tool restore >/dev/null
cd "tests/$project.Tests"
log_args=(); [ -z "${VERBOSITY:-}" ] || log_args=(--log-to-file)   # a command-line option only
dotnet tool run dotnet-stryker -- --config-file "$config" --output "$out" --skip-version-check "${log_args[@]}" 2>&1 | tee "$out/stryker.log"

# Summary: score and survivors from the JSON report (mutation-testing-elements schema).
report="$out/reports/mutation-report.json"
[ -f "$report" ] || { echo "no JSON report under $out/reports" >&2; exit 1; }
python3 - "$report" "$out/summary.md" "$name" "$root/scripts" <<'PY'
import sys, collections
report, dest, name, scripts = sys.argv[1:5]
sys.path.insert(0, scripts)
from stryker_report import code_cell, load, relative, score
r = load(report)
counts = collections.Counter()
survivors = []
for path, f in sorted(r["files"].items()):
    lines = f["source"].split("\n")
    for m in f["mutants"]:
        counts[m["status"]] += 1
        if m["status"] in ("Survived", "NoCoverage"):
            ln = m["location"]["start"]["line"]
            survivors.append((relative(path), ln, m["status"], m["mutatorName"], m.get("replacement", ""), lines[ln - 1].strip()))
valid, killed, _, _, pct = score(counts)
with open(dest, "w") as o:
    o.write(f"# Mutation testing: {name}\n\n")
    o.write(f"Score {pct:.1f} % ({killed} killed or timed out of {valid} valid mutants). ")
    o.write(", ".join(f"{k}: {v}" for k, v in sorted(counts.items())) + ".\n\n")
    o.write("| File:line | Status | Mutator | Replacement | Original line | Reason |\n|---|---|---|---|---|---|\n")
    for p, ln, st, mu, rep, src in survivors:
        o.write(f"| {p}:{ln} | {st} | {mu} | {code_cell(rep)} | {code_cell(src)} | |\n")
print(open(dest).read().split("\n\n")[1])
PY
