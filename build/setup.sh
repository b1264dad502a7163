#!/usr/bin/env bash
# One-time machine set-up shared by course.sh and test.sh: system packages the build and tests need.
# Idempotent; does nothing when everything is present.
set -euo pipefail
need=()
if [ "$(uname -s)" = "Linux" ]; then
  command -v patchelf >/dev/null 2>&1 || need+=(patchelf)
fi
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing ${need[*]}"
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
