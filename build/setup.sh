#!/usr/bin/env bash
# Machine set-up shared by course.sh and test.sh. Idempotent: installs only what is missing.
#   ./build/setup.sh            Debian's OpenBLAS (libopenblas0), for the forward passes' larger matrix products
#   ./build/setup.sh --browser  chromium and chromium-driver, for the browser test of the HTML pages (test.sh)
#
# TorchSharp on Linux needs no system package: build/TorchSharpNatives.targets places and, where the
# system libstdc++ is older than GCC 13's, patches its natives with the .NET SDK alone.
set -euo pipefail
need=()
# OpenBLAS: AttentionVisually.MatrixProducts sends products of 64 rows or more to it where it loads and uses the
# course's own tiled kernel otherwise, so it is optional: a machine where it cannot be installed only warns.
if [ "$(uname -s)" = "Linux" ] && command -v apt-get >/dev/null 2>&1 && ! ldconfig -p 2>/dev/null | grep -q 'libopenblas\.so\.0'; then
  if [ "$(id -u)" -eq 0 ] || command -v sudo >/dev/null 2>&1; then
    need+=(libopenblas0)
  else
    echo "setup: libopenblas0 missing (optional, for fast matrix products); run as root: apt-get install -y libopenblas0" >&2
  fi
fi
if [ "${1:-}" = "--browser" ] && [ "$(uname -s)" = "Linux" ]; then
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
fi
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing ${need[*]}"
  if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
  elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    echo "setup: ${need[*]} missing; run as root: apt-get install -y ${need[*]}" >&2
    exit 1
  fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
