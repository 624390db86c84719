#!/usr/bin/env bash
# README's test command: the set-up (idempotent: it only detects when all is installed), then the whole test suite.
# Later steps (documentation site, pack → install → run) are added here so README, CI and developers run one thing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
dotnet test MLNetAutoencoders.sln -c Release

# The oldest supported Microsoft.ML: the ML.NET test project again, built and run against Microsoft.ML and
# Microsoft.ML.OnnxTransformer 5.0.1 (the package is built against 6.0.0), in a separate output folder.
dotnet test tests/MLNetAutoencoders.MLNet.Tests -c Release -p:MicrosoftMLVersion=5.0.1 --artifacts-path "${TMPDIR:-/tmp}/mlae-mlnet-5.0.1"

# Installed as a user installs it: pack into a temporary folder, new console projects outside the repository that
# reference only the packages, README's two quick starts, the TorchSharp engine, and the mlae .NET tool.
bash scripts/install-check.sh
