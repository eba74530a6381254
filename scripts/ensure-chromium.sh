#!/usr/bin/env bash
# Make sure Debian's Chromium and ChromeDriver are installed (for the browser tests).
set -euo pipefail
if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "ensure-chromium: installing chromium and chromium-driver with apt" >&2
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >&2
else
  echo "ensure-chromium: install Chromium and ChromeDriver first (sudo apt-get install chromium chromium-driver), or set CAKAP_SKIP_BROWSER=1" >&2
  exit 1
fi
