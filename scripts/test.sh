#!/usr/bin/env bash
# README's test command: the set-up (idempotent: it only detects when all is installed), then the whole test suite.
# Each later step (documentation site, pack → install → run) is one block here, so README, CI and developers run one
# thing. A failing step is named with what to do (scripts/lib/steps.sh).
source "$(dirname "${BASH_SOURCE[0]}")/lib/steps.sh"
cd "$(dirname "${BASH_SOURCE[0]}")/.."

step "set-up (scripts/setup.sh)" "read the set-up's message above: it names the step and what to do; then run the tests again."
bash scripts/setup.sh

# Built once, then tested: no test assembly runs while another project's build is still copying files.
step "build (dotnet build)" "the compiler errors above name the file and line; fix them and run the tests again."
dotnet build MLNetAutoencoders.sln -c Release
step "test suite (dotnet test)" "the failed tests are listed above with their messages; \`dotnet test tests/<project> --filter <name>\` runs one again."
dotnet test MLNetAutoencoders.sln -c Release --no-build

# The documentation site: the API reference from the XML docs of the libraries the suite just built (Release), plus
# the pages under docs/, into docs/_site/. Warnings are errors, so a broken link or reference fails the run.
step "documentation site (DocFX)" "DocFX's warnings above name the page and the broken link or missing XML doc; fix it and run the tests again."
dotnet tool restore
dotnet docfx docs/docfx.json --warningsAsErrors

# The oldest supported Microsoft.ML: the ML.NET test project again, built and run against Microsoft.ML and
# Microsoft.ML.OnnxTransformer 5.0.1 (the package is built against 6.0.0), in a separate output folder inside the
# repository (artifacts/, ignored by git), where the tests find the repository above their binaries.
step "ML.NET tests against Microsoft.ML 5.0.1" "the failed tests above work with 6.0.0 but not 5.0.1: keep the code within both, or raise the supported range in the package description."
dotnet test tests/MLNetAutoencoders.MLNet.Tests -c Release -p:MicrosoftMLVersion=5.0.1 --artifacts-path artifacts/mlnet-5.0.1

# Installed as a user installs it: pack into a temporary folder, new console projects outside the repository that
# reference only the packages, README's two quick starts, the TorchSharp engine, and the mlae .NET tool.
step "install check (scripts/install-check.sh)" "its last lines name the package, project or command that failed; run bash scripts/install-check.sh alone to repeat it."
bash scripts/install-check.sh
