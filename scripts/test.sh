#!/usr/bin/env bash
# Install everything the tests need, then run every test (arguments go to pytest).
# Debian's chromium drives the browser tests (npm fetches axe-core for them); LibreOffice Writer checks that exports open.
# Python packages go into .venv in the checkout (Debian and Ubuntu refuse `pip install` outside a virtual
# environment, PEP 668); an existing .venv is reused, and what the system Python already has is not installed again.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_install() {
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v soffice >/dev/null 2>&1 || missing+=(libreoffice-writer-nogui)
[ -e /usr/lib/libreoffice/program/libsclo.so ] || missing+=(libreoffice-calc-nogui)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ "${#missing[@]}" -gt 0 ]; then
  apt_install "${missing[@]}" fonts-dejavu-core
fi

# axe-core (pinned) checks every page against the WCAG 2.2 AA rules in tests/browser/test_accessibility.py
AXE_VERSION=4.10.3
if ! grep -qs "\"version\": \"$AXE_VERSION\"" tests/browser/.axe/node_modules/axe-core/package.json; then
  npm install --silent --no-save --no-audit --no-fund --prefix tests/browser/.axe "axe-core@$AXE_VERSION" >/dev/null
fi

if ! .venv/bin/python -m pip --version >/dev/null 2>&1; then
  if ! python3 -m venv --system-site-packages .venv >/dev/null 2>&1; then
    apt_install python3-venv  # Debian and Ubuntu ship the venv module's pip separately
    python3 -m venv --system-site-packages .venv
  fi
  rm -f .venv/installed-pyproject.toml
fi
# the install is editable, so it is redone only when pyproject.toml changes
if ! cmp -s pyproject.toml .venv/installed-pyproject.toml; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test,semantic]'
  cp pyproject.toml .venv/installed-pyproject.toml
fi
# two processes (pytest-xdist), one a core, each test file kept in one; each has its own PostgreSQL database
exec .venv/bin/python -m pytest -n "${PEERFRAME_TEST_PROCESSES:-2}" --dist loadfile "$@"
