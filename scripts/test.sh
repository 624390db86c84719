#!/usr/bin/env bash
# README's test command: the set-up (idempotent: it only detects when all is installed), then the whole test suite.
# Each later step (documentation site, pack → install → run) is one block here, so README, CI and developers run one
# thing. A failing step is named with what to do (scripts/lib/steps.sh).
source "$(dirname "${BASH_SOURCE[0]}")/lib/steps.sh"
cd "$(dirname "${BASH_SOURCE[0]}")/.."

step "set-up (scripts/setup.sh)" "read the set-up's message above: it names the step and what to do; then run the tests again."
bash scripts/setup.sh

step "test suite (dotnet test)" "the failed tests are listed above with their messages; \`dotnet test tests/<project> --filter <name>\` runs one again."
dotnet test MLNetAutoencoders.sln -c Release

# The documentation site: the API reference from the XML docs of the libraries the suite just built (Release), plus
# the pages under docs/, into docs/_site/. Warnings are errors, so a broken link or reference fails the run.
step "documentation site (DocFX)" "DocFX's warnings above name the page and the broken link or missing XML doc; fix it and run the tests again."
dotnet tool restore
dotnet docfx docs/docfx.json --warningsAsErrors
