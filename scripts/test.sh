#!/usr/bin/env bash
# Install what the tests need (the browser from the OS packages, then the Python test tools)
# and run the whole suite. Arguments go to pytest (e.g. -x, -k render).
set -euo pipefail
cd "$(dirname "$0")/.."

# The browser: SITELORE_CHROMIUM, or Debian/Ubuntu's chromium-headless-shell (never a download
# at run time). The same places sitelore.crawl.sources.browser.find_chromium looks first.
chromium_found() {
    [ -n "${SITELORE_CHROMIUM:-}" ] && [ -x "${SITELORE_CHROMIUM}" ] && return 0
    [ -x /usr/lib/chromium/chromium-headless-shell ] || [ -x /usr/bin/chromium-headless-shell ]
}
if ! chromium_found; then
    if ! command -v apt-get >/dev/null; then
        echo "scripts/test.sh: install Chromium and set SITELORE_CHROMIUM to it" >&2
        exit 1
    fi
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends chromium-headless-shell
fi

python -m pip install -q -e ".[dev]"
python -m pytest "$@"
