#!/bin/sh
# `apt-get download PACKAGE` into the current directory (no root needed). A fresh machine may
# never have fetched Debian's package lists; then, as root, they are fetched once and the
# download is tried again.
apt-get download "$@" && exit 0
[ "$(id -u)" = 0 ] || exit 1
echo "apt-get download failed; refreshing the package lists (apt-get update) and trying again" >&2
apt-get update -qq && apt-get download "$@"
