#!/usr/bin/env bash
# One command: set up, then allocate a day of sample orders and compare with the greedy baseline.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/dom demo "$@"
