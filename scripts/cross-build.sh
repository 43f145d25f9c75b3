#!/usr/bin/env bash
# scripts/cross-build.sh: keep Lull portable. From Linux:
#   1. the resident process and command line (cmd/lull, tray included, no
#      GUI toolkit) with CGO_ENABLED=0 for Windows (dist/lull.exe) and
#      macOS on Intel and Apple silicon (dist/lull-darwin-amd64, -arm64);
#   2. the window (cmd/lull-window, Fyne: cgo with mingw-w64, GUI
#      subsystem) for Windows to dist/lull-window.exe, once it exists; the
#      window needs Apple's toolchain on macOS, so it is not built here;
#   3. the portable packages for macOS (go build and go vet) and go vet of
#      them for Windows (CGO_ENABLED=0).
# Every step runs even if an earlier one fails; the compiler's errors are
# printed as they are, a summary with each step's time comes last, and the
# exit status is non-zero if any step failed.
#
#   bash scripts/cross-build.sh          # uses the Go build cache
#   COLD=1 bash scripts/cross-build.sh   # empty build cache: a cold build's time
#
# Installs gcc-mingw-w64-x86-64 if missing (as root or via sudo).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/deps.sh

require_go
ensure_packages gcc-mingw-w64-x86-64
if [ -n "${COLD:-}" ]; then
	GOCACHE=$(mktemp -d "${TMPDIR:-/tmp}/lull-cross-gocache.XXXXXX")
	export GOCACHE
	trap 'chmod -R u+w "$GOCACHE" 2>/dev/null; rm -rf "$GOCACHE"' EXIT
	echo "cold build: empty GOCACHE=$GOCACHE"
fi

# The packages that must build everywhere (everything but the Fyne UI and
# the commands).
PORTABLE=(./calendar/... ./focus/... ./notify/... ./internal/... ./app/service/... ./app/tray/... ./app/winproc/...)

summary=()
failed=0
# run TITLE CMD...: runs CMD with output shown, records pass/fail and time.
run() {
	local title=$1 t=$SECONDS rc
	shift
	step "$title"
	echo "+ $*"
	"$@"
	rc=$?
	if [ $rc -eq 0 ]; then
		summary+=("ok    $(printf '%4d' $((SECONDS - t))) s  $title")
	else
		summary+=("FAIL  $(printf '%4d' $((SECONDS - t))) s  $title")
		failed=1
	fi
}

mkdir -p dist
# The resident is a console program on Windows, so `lull status` prints in
# a terminal; the resident started by a command runs detached, without a
# console window (cmd/lull/start_windows.go).
for target in windows/amd64:dist/lull.exe darwin/amd64:dist/lull-darwin-amd64 darwin/arm64:dist/lull-darwin-arm64; do
	platform=${target%%:*} out=${target#*:}
	rm -f "$out"
	run "$platform: go build ./cmd/lull (CGO_ENABLED=0, tray included) -> $out" \
		env GOOS="${platform%/*}" GOARCH="${platform#*/}" CGO_ENABLED=0 go build -o "$out" ./cmd/lull
	if [ -f "$out" ]; then
		file "$out" 2>/dev/null || ls -l "$out"
	fi
done
if [ -d cmd/lull-window ]; then
	rm -f dist/lull-window.exe
	run "windows/amd64: go build ./cmd/lull-window (cgo, mingw-w64) -> dist/lull-window.exe" \
		env GOOS=windows GOARCH=amd64 CGO_ENABLED=1 CC=x86_64-w64-mingw32-gcc \
		go build -ldflags -H=windowsgui -o dist/lull-window.exe ./cmd/lull-window
fi
run "darwin/arm64: go build (CGO_ENABLED=0) of the portable packages" \
	env GOOS=darwin GOARCH=arm64 CGO_ENABLED=0 go build "${PORTABLE[@]}"
run "darwin/arm64: go vet (CGO_ENABLED=0) of the portable packages" \
	env GOOS=darwin GOARCH=arm64 CGO_ENABLED=0 go vet "${PORTABLE[@]}"
run "windows/amd64: go vet (CGO_ENABLED=0) of the portable packages" \
	env GOOS=windows GOARCH=amd64 CGO_ENABLED=0 go vet "${PORTABLE[@]}"

step "Summary"
printf '%s\n' "${summary[@]}"
if [ $failed -ne 0 ]; then
	die "cross builds failed (errors above)"
fi
echo "all cross builds passed"
