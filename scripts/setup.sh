#!/usr/bin/env bash
# Set up everything the project needs on a fresh machine: a virtualenv with the package and its dev
# tools, and redis-server (through apt) when it is missing. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[dev]"

if ! command -v redis-server >/dev/null 2>&1; then
    echo "setup: installing redis-server (apt)" >&2
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq redis-server >/dev/null
fi

# PostgreSQL for the order store's contract tests (they start their own server with initdb when
# none answers at 127.0.0.1:5432).
if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    echo "setup: installing postgresql (apt)" >&2
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null
fi

# the browser tests of the report pages drive Debian's Chromium through Playwright (Playwright's
# own browser download is not used)
if ! command -v chromium >/dev/null 2>&1; then
    echo "setup: installing chromium (apt)" >&2
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
