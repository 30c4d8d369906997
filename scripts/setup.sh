#!/usr/bin/env bash
# Idempotent set-up: the Debian packages ZOCheck builds against, and python3 for the scripts
# (scripts/kill-test.sh, finetune-kill-resume.sh). Safe to run repeatedly; installs only what is
# missing (needs root or sudo the first time). The fuzzer (scripts/fuzz.sh) needs no package: libFuzzer
# ships with the Swift toolchain.
set -euo pipefail
packages=(libgsl-dev libopenblas-dev pkg-config gnuplot-nox python3)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi
command -v swift >/dev/null || { echo "setup: swift (6.1 or later) is not on PATH; install the Swift toolchain first" >&2; exit 1; }
