#!/usr/bin/env bash
# README's test command: the set-up (idempotent: it only detects when all is installed), then the whole test suite.
# Later steps (documentation site, pack → install → run) are added here so README, CI and developers run one thing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
dotnet test MLNetAutoencoders.sln -c Release

# The documentation site: the API reference from the XML docs of the libraries the suite just built (Release), plus
# the pages under docs/, into docs/_site/. Warnings are errors, so a broken link or reference fails the run.
dotnet tool restore
dotnet docfx docs/docfx.json --warningsAsErrors
