#!/usr/bin/env bash
# Runs every test of the course (library, engines, notebooks). Installs what it needs first.
set -euo pipefail
cd "$(dirname "$0")"
./build/setup.sh
dotnet test Course.sln -c Release "$@"
