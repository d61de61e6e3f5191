#!/bin/sh
# Install the headless browser the report tests render with: Debian `chromium`
# (tests/crosscheck/test_report_browser.py opens the HTML diff report in it and checks what is
# rendered). Idempotent: does nothing when /usr/bin/chromium is already there.
# Runs as root without sudo, or through sudo when run by another user.
set -eu

BROWSER=/usr/bin/chromium

if [ -x "$BROWSER" ]; then
    echo "browser already installed: $BROWSER"
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
else
    echo "error: need root (or sudo) to install chromium" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium
if [ ! -x "$BROWSER" ]; then
    echo "error: chromium installed but $BROWSER is missing" >&2
    exit 1
fi
echo "installed: chromium ($("$BROWSER" --version 2>/dev/null || echo "version unknown"))"
