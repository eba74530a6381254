#!/usr/bin/env bash
# Install the Debian packages given as arguments that are missing (one `apt-get update` at most).
# Used for CBC (the plan's MILP solver: coinor-libcbc-dev, pkg-config) and for Chromium.
set -euo pipefail
missing=()
for p in "$@"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "ensure-packages: installing ${missing[*]} with apt" >&2
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
else
  echo "ensure-packages: install first: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
