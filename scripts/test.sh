#!/usr/bin/env bash
# scripts/test.sh: the whole test suite (what .ci/run calls).
#
#   bash scripts/test.sh
#
# Installs missing Debian packages (BUILD_PACKAGES and SESSION_PACKAGES in
# scripts/deps.sh; as root or via sudo; Go itself must be installed), then:
# Go modules download, gofmt check, one race-instrumented compile of the
# whole tree (with a progress line at least every PROGRESS_EVERY seconds),
# go vet over both tag sets on that compiled tree, unit tests with the race
# detector, the app built twice from the same tree (test-artifacts/bin/lull
# and, with -tags lulltest, lull-testclock: exported as LULL_BIN and
# LULL_TESTCLOCK_BIN), and the end-to-end tests inside a private desktop
# session (scripts/e2e-session.sh under dbus-run-session: Xvfb, dunst,
# gnome-keyring, Radicale), also with -race. Logs of that session,
# including the session bus daemon's own chatter: test-artifacts/e2e/.
# Exits non-zero on the first failure.
#
# Why one race-instrumented tree: compiling Fyne and GLFW (cgo) is most of
# a cold run, and every step here needs it. Building it once with -race and
# using it for vet, the unit tests, both binaries and the end-to-end tests
# halves the cold compile, and the end-to-end tests then also catch data
# races in the real app.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd -P)
. scripts/deps.sh

t0=$SECONDS
ts=$t0
done_step() { echo "    ($((SECONDS - ts)) s)"; ts=$SECONDS; }

step "Prerequisites: Go and Debian packages"
require_go
go version
# shellcheck disable=SC2086
ensure_packages $BUILD_PACKAGES $SESSION_PACKAGES
set_locale force
go_vcs_guard
export CGO_ENABLED=1 # the GUI (Fyne, GLFW) and -race need cgo
done_step

step "go mod download"
go mod download || die "could not download the Go modules (network? GOPROXY=$(go env GOPROXY))"
done_step

step "gofmt"
# gofmt -l on every Go file except under testdata/ and hidden or _ folders,
# which the go command ignores too.
unformatted=$(find . \( -name testdata -o -name '.?*' -o -name '_*' -o -name test-artifacts \) -prune -o \
	-name '*.go' -type f -print0 | xargs -0 -r gofmt -l)
if [ -n "$unformatted" ]; then
	echo "$unformatted" >&2
	die "these files are not gofmt-formatted (run: gofmt -w FILE)"
fi
done_step

# with_progress LABEL COMMAND...: runs COMMAND (a `go build -v` or
# `go vet -v`, which name each package they compile) and, every
# PROGRESS_EVERY seconds while it runs, prints how many packages are done
# and which came last, so a cold run never sits silent for minutes. The
# command's own output is shown at the end when it fails, and its
# non-package lines (warnings) always.
PROGRESS_EVERY=${PROGRESS_EVERY:-20}
with_progress() {
	local label=$1 log rc=0 t=$SECONDS pid n
	shift
	log=$(mktemp "${TMPDIR:-/tmp}/lull-progress.XXXXXX")
	"$@" >"$log" 2>&1 &
	pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		sleep 1
		if [ $((SECONDS - t)) -ge "$PROGRESS_EVERY" ] && kill -0 "$pid" 2>/dev/null; then
			t=$SECONDS
			n=$(grep -cv ' ' "$log") || true
			if [ "$n" -gt 0 ]; then
				echo "    $label: $n packages so far, latest $(grep -v ' ' "$log" | tail -n 1) ($((SECONDS - ts)) s)"
			else
				echo "    $label: working ($((SECONDS - ts)) s)"
			fi
		fi
	done
	wait "$pid" || rc=$?
	if [ $rc -ne 0 ]; then
		cat "$log" >&2
	else
		grep ' ' "$log" || true
		echo "    $label: $(grep -cv ' ' "$log") packages compiled, the rest came from the build cache"
	fi
	rm -f "$log"
	return $rc
}

# Every file of the tree is built with one of these tag sets: the default
# and e2e,desktop,lulltest (the end-to-end tests, the desktop-only notify
# tests, the test clock of cmd/lull). Only cmd/lull/testclock.go is
# excluded by the second, so vet covers it with one more (cached) package.
E2E_TAGS=e2e,desktop,lulltest

step "Compile the tree once, race-instrumented (go build -race)"
with_progress compile go build -race -v ./... || die "the tree does not compile (above)"
with_progress "compile (-tags $E2E_TAGS)" go build -race -v -tags "$E2E_TAGS" ./... ||
	die "the tree does not compile with -tags $E2E_TAGS (above)"
done_step

step "go vet -race -tags $E2E_TAGS ./...  (and cmd/lull with default tags)"
# vet compiles what only tests import (Fyne's test driver, ...) itself.
with_progress vet go vet -race -v -tags "$E2E_TAGS" ./... || die "go vet found problems (above)"
with_progress "vet cmd/lull" go vet -race -v ./cmd/lull || die "go vet found problems in cmd/lull (above)"
done_step

step "go test -race -count=1 ./...  (unit tests; no display, no session bus)"
# Unit tests must not reach the desktop of whoever runs this (their real
# notification server or keyring); the desktop is the e2e step's job.
# -vet=off: the step above vetted everything already.
env -u DISPLAY -u WAYLAND_DISPLAY -u DBUS_SESSION_BUS_ADDRESS -u XDG_RUNTIME_DIR \
	go test -race -vet=off -count=1 ./...
done_step

ART=test-artifacts
step "go build -race -o $ART/bin/lull ./cmd/lull  (lull-testclock with -tags lulltest, lull-window)"
mkdir -p "$ART/bin"
[ -d cmd/lull ] || die "./cmd/lull does not exist: the app's main package is missing"
go build -race -o "$ART/bin/lull" ./cmd/lull || die "building ./cmd/lull failed"
go build -race -tags lulltest -o "$ART/bin/lull-testclock" ./cmd/lull || die "building ./cmd/lull with -tags lulltest failed"
# The window process: beside lull, where lull and its tray look for it.
go build -race -o "$ART/bin/lull-window" ./cmd/lull-window || die "building ./cmd/lull-window failed"
export LULL_BIN=$ROOT/$ART/bin/lull LULL_TESTCLOCK_BIN=$ROOT/$ART/bin/lull-testclock LULL_WINDOW_BIN=$ROOT/$ART/bin/lull-window
echo "LULL_BIN=$LULL_BIN"
echo "LULL_TESTCLOCK_BIN=$LULL_TESTCLOCK_BIN"
echo "LULL_WINDOW_BIN=$LULL_WINDOW_BIN"
done_step

step "End-to-end tests in a private desktop session (dbus-run-session)"
# Every process of the session carries this marker in its environment, so
# anything left behind afterwards (even something D-Bus activated) is found.
marker=$(od -An -tx1 -N8 /dev/urandom | tr -d ' \n')
e2e_rc=0
# The session bus daemon logs every monitor and its fd limit to stderr;
# scripts/quiet-dbus-daemon sends that to $ART/e2e/dbus-daemon.log.
mkdir -p "$ART/e2e"
export E2E_DBUS_LOG=$ROOT/$ART/e2e/dbus-daemon.log
: >"$E2E_DBUS_LOG"
LULL_E2E_SESSION_ID=$marker E2E_GO_FLAGS="-race -vet=off" \
	dbus-run-session --dbus-daemon="$ROOT/scripts/quiet-dbus-daemon" -- bash scripts/e2e-session.sh || e2e_rc=$?
leftover=()
for env in /proc/[0-9]*/environ; do
	pid=${env#/proc/}
	pid=${pid%/environ}
	if grep -qzx "LULL_E2E_SESSION_ID=$marker" "$env" 2>/dev/null; then
		leftover+=("$pid ($(cat "/proc/$pid/comm" 2>/dev/null))")
		kill -KILL "$pid" 2>/dev/null || true
	fi
done
if [ ${#leftover[@]} -gt 0 ]; then
	echo "error: processes from the e2e session were still running (now killed): ${leftover[*]}" >&2
	[ "$e2e_rc" -ne 0 ] || e2e_rc=1
else
	echo "no process of the e2e session remains"
fi
[ "$e2e_rc" -eq 0 ] || die "end-to-end tests failed (exit $e2e_rc); logs in $ART/e2e/"
done_step

step "All tests passed in $((SECONDS - t0)) s"
