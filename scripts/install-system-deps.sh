#!/bin/sh
# Install the system packages the project needs beyond Python: the CJK font embedded in the
# sample-corpus PDFs (Debian fonts-wqy-zenhei). Idempotent: does nothing when already there.
# Runs as root without sudo, or through sudo when run by another user.
set -eu

PACKAGES="fonts-wqy-zenhei"
FONT=/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc

missing=""
for pkg in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $pkg"
    fi
done

if [ -z "$missing" ] && [ -f "$FONT" ]; then
    echo "system dependencies already installed:$PACKAGES"
    exit 0
fi
REINSTALL=""
if [ -z "$missing" ]; then  # package recorded as installed but the font file is gone
    missing=" $PACKAGES"
    REINSTALL="--reinstall"
fi

if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
else
    echo "error: need root (or sudo) to install:$missing" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086  # word splitting of the package list is intended
$SUDO apt-get install -y -qq --no-install-recommends $REINSTALL $missing
echo "installed:$missing"
