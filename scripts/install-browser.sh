#!/usr/bin/env bash
# Install what the browser tests need on a Debian machine, if missing: Debian's chromium
# (Playwright drives it at /usr/bin/chromium; `playwright install` cannot download browsers
# here) and fonts for readable screenshots. The Python packages (playwright,
# axe-playwright-python) come from pyproject.toml's dev extras. Safe to run again.
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
dpkg -s fonts-liberation >/dev/null 2>&1 || need+=(fonts-liberation)
dpkg -s fonts-dejavu-core >/dev/null 2>&1 || need+=(fonts-dejavu-core)
dpkg -s libpango-1.0-0 >/dev/null 2>&1 || need+=(libpango-1.0-0)  # WeasyPrint (the board pack PDF)
dpkg -s libpangoft2-1.0-0 >/dev/null 2>&1 || need+=(libpangoft2-1.0-0)
command -v npm >/dev/null || need+=(npm)  # the web assets (scripts/build-web-assets.sh)
if [ ${#need[@]} -eq 0 ]; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
    echo "install-browser: missing ${need[*]}; install them (Debian: apt-get install ${need[*]})" \
         "to run the browser tests; they will be skipped (failed under CI=true)." >&2
    exit 0
fi
echo "install-browser: installing ${need[*]} with apt-get" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
echo "install-browser: $(/usr/bin/chromium --version 2>/dev/null || echo 'chromium installed')" >&2
