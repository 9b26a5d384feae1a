#!/usr/bin/env bash
# The whole test suite: set up, lint, type-check, check the layers, then pytest (tests start their
# own redis-server).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
.venv/bin/lint-imports --no-cache
exec .venv/bin/python -m pytest "$@"
