#!/usr/bin/env bash
# Install everything the tests need, then run every test (arguments go to pytest).
# Debian's chromium drives the browser tests (npm fetches axe-core for them); LibreOffice Writer checks that exports open.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v soffice >/dev/null 2>&1 || missing+=(libreoffice-writer-nogui)
[ -e /usr/lib/libreoffice/program/libsclo.so ] || missing+=(libreoffice-calc-nogui)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ "${#missing[@]}" -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" fonts-dejavu-core >/dev/null
fi

# axe-core (pinned) checks every page against the WCAG 2.2 AA rules in tests/browser/test_accessibility.py
AXE_VERSION=4.10.3
if ! grep -qs "\"version\": \"$AXE_VERSION\"" tests/browser/.axe/node_modules/axe-core/package.json; then
  npm install --silent --no-save --no-audit --no-fund --prefix tests/browser/.axe "axe-core@$AXE_VERSION" >/dev/null
fi

python3 -m pip install --quiet --disable-pip-version-check -e '.[test]'
exec python3 -m pytest "$@"
