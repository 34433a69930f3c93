#!/usr/bin/env bash
# Installs the Debian packages the project needs and that pip cannot provide:
# Chromium for the browser tests, CJK fonts and Pango for WeasyPrint PDFs.
# Idempotent: does nothing when everything is already there.
set -euo pipefail
need=()
# --runtime: only what the served app needs (fonts for PDFs), not the browser for tests.
if [ "${1:-}" != "--runtime" ]; then
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
fi
for pkg in fonts-arphic-uming fonts-wqy-microhei libpango-1.0-0 libpangoft2-1.0-0 poppler-utils; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" != 0 ]; then SUDO=sudo; else SUDO=; fi
echo "installing system packages: ${need[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
