#!/usr/bin/env bash
# Make sure Debian's Chromium and ChromeDriver are installed (for the browser tests).
set -euo pipefail
if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then exit 0; fi
exec "$(dirname "${BASH_SOURCE[0]}")/ensure-packages.sh" chromium chromium-driver
