#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Benchmarks the library against the seed's GList holder list, side by side
# in one process, prints ns/op and ratios, and redraws docs/bench-holders.svg.
# Not a test: it passes or fails nothing.

set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
scripts/install-deps.sh
[ -f build/build.ninja ] || meson setup build >/dev/null
meson compile -C build tests/bench/bench-holders >/dev/null
build/tests/bench/bench-holders build/bench-holders.csv
echo
G_SLICE=always-malloc build/tests/bench/bench-holders --memory
mkdir -p docs
python3 tests/bench/plot.py build/bench-holders.csv docs/bench-holders.svg
echo "plot: docs/bench-holders.svg"
