#!/usr/bin/env bash
# Installs what the tests of the live views drive (tests/live_*_test.ts, tests/web_dashboard_test.ts):
# tmux, Debian's Chromium, ImageMagick with a monospace font, the exim4 MTA (the tests run
# private instances of it; no system daemon is started) and the npm package playwright-core,
# into .tools/ (not committed). Idempotent: installs only what is missing. apt needs root.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PLAYWRIGHT_VERSION=1.65.1

missing=()
for p in tmux chromium imagemagick fonts-dejavu-core exim4-daemon-light; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "test-deps: need root to install: ${missing[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

pkg="$root/.tools/node_modules/playwright-core/package.json"
if ! grep -q "\"version\": \"$PLAYWRIGHT_VERSION\"" "$pkg" 2>/dev/null; then
  mkdir -p "$root/.tools"
  npm install --prefix "$root/.tools" --no-save --no-package-lock --no-audit --no-fund \
    --loglevel=error "playwright-core@$PLAYWRIGHT_VERSION" >/dev/null
fi
echo "test-deps: tmux, chromium, imagemagick, exim4 and playwright-core $PLAYWRIGHT_VERSION ready"
