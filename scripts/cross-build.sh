#!/usr/bin/env bash
# scripts/cross-build.sh: keep Lull portable. From Linux:
#   1. the whole app for Windows (cgo with mingw-w64, GUI subsystem) to
#      dist/lull.exe,
#   2. the non-GUI packages for macOS (CGO_ENABLED=0 go build and go vet;
#      the GUI needs Apple's toolchain, so it is not built here),
#   3. go vet of the same packages for Windows (CGO_ENABLED=0).
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

# The packages that must build everywhere (everything but the Fyne UI and main).
PORTABLE=(./calendar/... ./focus/... ./notify/... ./internal/... ./app/service/...)

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
rm -f dist/lull.exe
run "windows/amd64: go build ./cmd/lull (cgo, mingw-w64) -> dist/lull.exe" \
	env GOOS=windows GOARCH=amd64 CGO_ENABLED=1 CC=x86_64-w64-mingw32-gcc \
	go build -ldflags -H=windowsgui -o dist/lull.exe ./cmd/lull
if [ -f dist/lull.exe ]; then
	file dist/lull.exe 2>/dev/null || ls -l dist/lull.exe
fi
run "darwin/arm64: go build (CGO_ENABLED=0) of the non-GUI packages" \
	env GOOS=darwin GOARCH=arm64 CGO_ENABLED=0 go build "${PORTABLE[@]}"
run "darwin/arm64: go vet (CGO_ENABLED=0) of the non-GUI packages" \
	env GOOS=darwin GOARCH=arm64 CGO_ENABLED=0 go vet "${PORTABLE[@]}"
run "windows/amd64: go vet (CGO_ENABLED=0) of the non-GUI packages" \
	env GOOS=windows GOARCH=amd64 CGO_ENABLED=0 go vet "${PORTABLE[@]}"

step "Summary"
printf '%s\n' "${summary[@]}"
if [ $failed -ne 0 ]; then
	die "cross builds failed (errors above)"
fi
echo "all cross builds passed"
