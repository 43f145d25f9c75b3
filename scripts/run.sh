#!/usr/bin/env bash
# scripts/run.sh: build Lull (lull and, once it exists, lull-window beside
# it) and start it. Arguments are passed to lull.
#
#   bash scripts/run.sh [ARGS...]
#
# Works from any directory (relative paths in ARGS stay relative to where you
# ran it). Installs the Debian packages a GUI (cgo) build needs if they are
# missing (as root or via sudo). Go must already be installed. The first
# build takes a few minutes (Fyne's C parts); later ones take seconds.
set -euo pipefail
here=$PWD
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$root"
. scripts/deps.sh

require_go
# shellcheck disable=SC2086
ensure_packages $BUILD_PACKAGES
set_locale
go_vcs_guard

export CGO_ENABLED=1
go build -o ./lull ./cmd/lull || die "go build ./cmd/lull failed"
# The window is a process of its own, found beside lull.
if [ -d cmd/lull-window ]; then
	go build -o ./lull-window ./cmd/lull-window || die "go build ./cmd/lull-window failed"
fi
cd "$here"
exec "$root/lull" "$@"
