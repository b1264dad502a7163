#!/usr/bin/env bash
# Runs every test of the course: the library and its engines, the real model, then every chapter (in the
# course's runner, in headless Chromium, and in the stock kernel). Installs what it needs first.
set -euo pipefail
cd "$(dirname "$0")"
./build/setup.sh --browser
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build Course.sln -c Release
# One test project at a time: on a 2-core machine the chapter runs need the cores to themselves.
dotnet test tests/AttentionVisually.Tests -c Release --no-build "$@"
dotnet test tests/AttentionVisually.Torch.Tests -c Release --no-build "$@"
dotnet test tests/AttentionVisually.RealModel.Tests -c Release --no-build "$@"
dotnet test tests/Notebooks.Tests -c Release --no-build "$@"
