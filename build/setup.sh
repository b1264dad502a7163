#!/usr/bin/env bash
# One-time machine set-up shared by course.sh and test.sh: system packages the build and tests need.
# Idempotent; does nothing when everything is present.
#   chromium, chromium-driver   the browser test of the executed HTML pages (tests/Notebooks.Tests)
#
# TorchSharp on Linux needs no system package: build/TorchSharpNatives.targets places and, where the
# system libstdc++ is older than GCC 13's, patches its natives with the .NET SDK alone.
set -euo pipefail
need=()
if [ "$(uname -s)" = "Linux" ]; then
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
fi
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing ${need[*]}"
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
