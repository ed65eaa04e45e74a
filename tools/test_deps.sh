#!/bin/sh
# make test's first step: the programs the test suite drives besides fnn itself, GNU parallel
# (a planned sweep run by `parallel -j2`) and headless Chromium (report pages rendered and
# checked). Missing ones are installed from Debian when this user may (root, or sudo without a
# password); otherwise nothing runs and the one command to type is printed.
need=""
command -v parallel >/dev/null 2>&1 || need="$need parallel"
command -v chromium >/dev/null 2>&1 || need="$need chromium"
[ -z "$need" ] && exit 0

if [ "$(id -u)" = 0 ]; then
    sudo=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo="sudo -n"
else
    echo "make test: the tests need$need, which are not installed and this user cannot install." >&2
    echo "Run this once, then make test again:" >&2
    echo "    sudo apt-get install -y --no-install-recommends$need" >&2
    exit 1
fi

echo "make test: installing$need from Debian (the tests drive them)"
export DEBIAN_FRONTEND=noninteractive
install() { $sudo apt-get install -y -qq --no-install-recommends $need >/dev/null; }
# A fresh machine may have no package lists yet: refresh them once if the first try fails.
if ! install && ! { $sudo apt-get update -qq && install; }; then
    echo "make test: could not install$need with apt-get; install them and run make test again" >&2
    exit 1
fi
