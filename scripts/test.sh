#!/usr/bin/env bash
# scripts/test.sh: the whole test suite (what .ci/run calls).
#
#   bash scripts/test.sh
#
# Installs missing Debian packages (BUILD_PACKAGES and SESSION_PACKAGES in
# scripts/deps.sh; as root or via sudo; Go itself must be installed), then:
# Go modules download, gofmt check, go vet (default tags and
# -tags e2e,desktop,lulltest), unit tests with
# the race detector, one build of the app to test-artifacts/bin/lull
# (exported as LULL_BIN), and the end-to-end tests inside a private desktop
# session (scripts/e2e-session.sh under dbus-run-session: Xvfb, dunst,
# gnome-keyring, Radicale). Logs of that session: test-artifacts/e2e/.
# Exits non-zero on the first failure.
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

step "go vet ./..."
go vet ./...
done_step

# e2e and desktop: the end-to-end tests; lulltest: the test-clock file of
# cmd/lull that e2e/day_test.go builds the app with.
step "go vet -tags e2e,desktop,lulltest ./..."
go vet -tags e2e,desktop,lulltest ./...
done_step

step "go test -race -count=1 ./...  (unit tests; no display, no session bus)"
# Unit tests must not reach the desktop of whoever runs this (their real
# notification server or keyring); the desktop is the e2e step's job.
env -u DISPLAY -u WAYLAND_DISPLAY -u DBUS_SESSION_BUS_ADDRESS -u XDG_RUNTIME_DIR \
	go test -race -count=1 ./...
done_step

ART=test-artifacts
step "go build -o $ART/bin/lull ./cmd/lull"
mkdir -p "$ART/bin"
[ -d cmd/lull ] || die "./cmd/lull does not exist: the app's main package is missing"
go build -o "$ART/bin/lull" ./cmd/lull || die "building ./cmd/lull failed"
export LULL_BIN=$ROOT/$ART/bin/lull
echo "LULL_BIN=$LULL_BIN"
done_step

step "End-to-end tests in a private desktop session (dbus-run-session)"
# Every process of the session carries this marker in its environment, so
# anything left behind afterwards (even something D-Bus activated) is found.
marker=$(od -An -tx1 -N8 /dev/urandom | tr -d ' \n')
e2e_rc=0
LULL_E2E_SESSION_ID=$marker dbus-run-session -- bash scripts/e2e-session.sh || e2e_rc=$?
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
