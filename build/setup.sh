#!/usr/bin/env bash
# One-time machine set-up shared by course.sh and test.sh: system packages the build and tests need.
# Idempotent; does nothing when everything is present.
#   patchelf                 native libraries of the real-model packages
#   chromium, chromium-driver  the browser test of the executed HTML pages (tests/Notebooks.Tests)
set -euo pipefail
need=()
if [ "$(uname -s)" = "Linux" ]; then
  command -v patchelf >/dev/null 2>&1 || need+=(patchelf)
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
fi
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing ${need[*]}"
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
