#!/usr/bin/env bash
# Main job: installs what the machine needs, builds the course in Release, and runs every chapter headless,
# writing out/: each chapter's executed notebook (.ipynb) and standalone HTML page, index.html, junit.xml.
# Exercises run with their reference solutions (notebooks/solutions); out/ is the learner's edition (no
# solutions), out/instructor/ the instructor's (solutions folded).
#   ./course.sh                       every notebooks/NN-*.dib
#   ./course.sh notebooks/02-*.dib    only the chapters named (runner options pass through, see --help)
#   ./course.sh --build-only          build the library the chapters load, run nothing
# Exit code: non-zero when a cell of any chapter failed.
set -euo pipefail
cd "$(dirname "$0")"
./build/setup.sh
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
if [ "${1:-}" = "--build-only" ]; then
  dotnet build lib/Library.slnf -c Release -v q --nologo
  exit 0
fi
dotnet build lib/Library.slnf -c Release -v q --nologo
dotnet build tools/NotebookRunner/NotebookRunner.csproj -c Release -v q --nologo
exec dotnet tools/NotebookRunner/bin/Release/net10.0/NotebookRunner.dll --out out --solutions notebooks/solutions "$@"
