#!/usr/bin/env bash
# Installs Debian's Chromium for the browser test (playwright-core drives it;
# Playwright cannot download its own browsers here). Quiet when it is there.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" != "0" ]; then
  echo "install-browser: /usr/bin/chromium is missing; run 'sudo apt-get install chromium' and try again." >&2
  exit 1
fi
echo "install-browser: installing Debian's chromium"
apt-get update -q
DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium
