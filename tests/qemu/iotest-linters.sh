#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# QEMU's iotests linters, as QEMU's check-python-minreqs CI job runs them
# ("make -C python check-minreqs" runs python/tests/iotests-pylint.sh and
# python/tests/iotests-mypy.sh): pylint and mypy at the versions pinned in
# the tree's python/tests/minreqs.txt, under Python 3.9 as in that job when
# a python3.9 is at hand, with the tree's python/ package importable, on
# every Python iotest of the tree.
#
# The linters go into a venv under the QEMU work dir, made again only when
# the pins or the interpreter change.  Unpatched QEMU 10.2.2 (tag
# debian-pristine) passes both linters with these pins, so any finding
# fails the check; those in the series' own iotests (SERIES_FILES) are
# named as such.
#
# usage: iotest-linters.sh [QEMU_SOURCE_DIR]   (default: $QEMU_WORKDIR/src)
#        IOTEST_LINTERS_PYTHON=python3.11 iotest-linters.sh ...  (interpreter)

set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
qemu=${QEMU_WORKDIR:-$repo/.qemu}
src=$(cd "${1:-$qemu/src}" && pwd) || exit 1
# Relative to tests/qemu-iotests, as the linters name them.
SERIES_FILES=(tests/iothread-holders)

for f in python/tests/iotests-pylint.sh python/tests/iotests-mypy.sh \
         python/tests/minreqs.txt tests/qemu-iotests/linters.py; do
    [ -f "$src/$f" ] || { echo "$src has no $f"; exit 1; }
done

# QEMU's CI makes its venv with python3.9 (python/Makefile, min-venv).
# pyenv's shims exist for every version it has, so run it to know.
# IOTEST_LINTERS_PYTHON chooses another.
python=${IOTEST_LINTERS_PYTHON:-}
[ -n "$python" ] || for candidate in python3.9 "$(pyenv root 2>/dev/null)"/versions/3.9*/bin/python3.9 python3; do
    if "$candidate" -c 'import venv' >/dev/null 2>&1; then python=$candidate; break; fi
done
[ -n "$python" ] || { echo "no python3 with venv"; exit 1; }
pyver=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')

# The linters' pins of minreqs.txt, and those of their dependencies.
# pylint 2.17.3 itself asks dill >= 0.3.6 on Python >= 3.11, above the
# dill==0.2 pinned for 3.9, so on a newer Python that one is pip's choice.
names='isort|mypy|pylint|mccabe|mypy-extensions|tomli|typing-extensions|astroid|dill|lazy-object-proxy|platformdirs|toml|tomlkit|wrapt'
pins=$(grep -E "^($names)==" "$src/python/tests/minreqs.txt" | sort)
case $pyver in 3.9|3.10) ;; *) pins=$(grep -v '^dill==' <<<"$pins") ;; esac
grep -q '^pylint==' <<<"$pins" && grep -q '^mypy==' <<<"$pins" ||
    { echo "minreqs.txt pins no pylint or no mypy"; exit 1; }

venv=$qemu/iotest-linters-venv
stamp="python $pyver
$pins"
if [ "$(cat "$venv/stamp" 2>/dev/null)" != "$stamp" ]; then
    echo "== venv $venv: Python $pyver, $(grep -E '^(pylint|mypy)==' <<<"$pins" | tr '\n' ' ')"
    rm -rf "$venv"
    "$python" -m venv "$venv" &&
        "$venv/bin/pip" install -q --disable-pip-version-check wheel &&
        "$venv/bin/pip" install -q --disable-pip-version-check -r /dev/stdin <<<"$pins" &&
        echo "$stamp" >"$venv/stamp" || { echo "could not make the venv"; exit 1; }
fi

# As avocado runs iotests-*.sh in the activated venv, from python/; the tree's
# python/ is on the path instead of installed "-e", which would write into
# the tree.  Nor do the caches of mypy and Python go into the tree.
lint() {
    (cd "$src/python" &&
     env PATH="$venv/bin:$PATH" VIRTUAL_ENV="$venv" \
         PYTHONPATH="$src/python" MYPYPATH="$src/python" PYTHONDONTWRITEBYTECODE=1 \
         MYPY_CACHE_DIR="$venv/mypy-cache" PYLINTHOME="$venv/pylint-cache" \
         sh "tests/iotests-$1.sh")
}

status=0
for linter in pylint mypy; do
    echo "== iotests-$linter.sh ($("$venv/bin/$linter" --version 2>/dev/null | head -1))"
    out=$(lint $linter 2>&1)
    rc=$?
    [ -n "$out" ] && echo "$out"
    [ $rc = 0 ] && continue
    status=1
    # A finding starts with the file's name: "tests/iothread-holders:12:...".
    for f in "${SERIES_FILES[@]}"; do
        n=$(grep -c "^$f:" <<<"$out")
        [ "$n" = 0 ] || echo "iotests-$linter.sh: $n finding(s) in the series' $f"
    done
    echo "iotests-$linter.sh failed (exit $rc)"
done
exit $status
