#!/bin/sh
# Find or install the Chromium the browser tests drive (docs/architecture.md#tests-and-performance).
# Playwright cannot download its own browser on these machines, so we use Debian's.
set -e
CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Chromium from Debian's packages..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  exit 0
fi
echo "No $CHROMIUM; trying Playwright's own download..."
.venv/bin/python -m playwright install chromium
