# Lull: everyday commands. Each target is a thin wrapper; the scripts work
# without make too.
#
#   make run       build and start Lull (scripts/run.sh)
#   make test      the whole test suite (scripts/test.sh)
#   make package   Linux package dist/Lull.tar.xz: lull, lull-window, .desktop
#                  entry, icon (fyne CLI pinned as a Go tool in go.mod)
#   make package-check   build the package, unpack it into a temp prefix and check it
#   make cross     Windows build (mingw) and macOS/Windows builds of the non-GUI packages
#   make bench     every benchmark; writes BENCHMARKS.md
#   make clean     remove dist/

SHELL := /bin/bash
DIST := dist

.PHONY: run test package package-check cross bench clean

run:
	bash scripts/run.sh

test:
	bash scripts/test.sh

# Both binaries are built here (release tags and flags, as `fyne package
# -release` would): lull, the resident process and command line, and
# lull-window, the Fyne window it starts on demand and finds beside itself
# (app/winproc). lull is handed to `fyne package -exe`, so the .desktop
# entry runs plain lull, which starts the resident if needed and opens the
# window. fyne reads FyneApp.toml from its -src directory and bumps Build
# in it after packaging, so -src is a temporary copy: the repository's
# FyneApp.toml is never rewritten and no generated file appears in cmd/.
# fyne writes its archive into the current directory, a temporary one
# outside the module, so its binary is asked of `go tool -n fyne` (the
# version pinned in go.mod) and run from there.
# fyne packages one binary and has no way to add a file, so its archive is
# unpacked, lull-window is put into its bin/ beside lull, the archive's
# Makefile gets a matching line after each line that installs or removes
# lull (install, uninstall, user-install, user-uninstall), and the tree is
# packed again with xz. dist/ only ever receives the finished archive.
package:
	@set -euo pipefail; \
	. scripts/deps.sh; require_go; ensure_packages $$BUILD_PACKAGES xz-utils; \
	stage=$$(mktemp -d "$${TMPDIR:-/tmp}/lull-package.XXXXXX"); \
	trap 'rm -rf "$$stage"' EXIT; \
	mkdir -p $(DIST) "$$stage/src" "$$stage/fyne" "$$stage/tree"; rm -f $(DIST)/Lull.tar.xz; \
	for cmd in lull lull-window; do \
		CGO_ENABLED=1 go build -tags release -trimpath -ldflags "-s -w" -o "$$stage/$$cmd" ./cmd/$$cmd || \
			die "go build ./cmd/$$cmd failed"; \
	done; \
	cp FyneApp.toml "$$stage/src/FyneApp.toml"; \
	printf 'package main\n' >"$$stage/src/main.go"; \
	fyne=$$(go tool -n fyne) || die "cannot build the fyne tool pinned in go.mod"; \
	(cd "$$stage/fyne" && "$$fyne" package -os linux -release -name Lull \
		-src "$$stage/src" -exe "$$stage/lull" -icon "$(CURDIR)/assets/icon.png"); \
	test -s "$$stage/fyne/Lull.tar.xz" || die "fyne package did not write Lull.tar.xz"; \
	tree="$$stage/tree"; tar -xJf "$$stage/fyne/Lull.tar.xz" -C "$$tree"; \
	bins=$$(cd "$$tree" && find usr -path '*/bin/lull' -type f); \
	[ "$$(wc -w <<<"$$bins")" = 1 ] || die "fyne's archive has not exactly one bin/lull: $${bins:-none}"; \
	install -m 0755 "$$stage/lull-window" "$$tree/$$(dirname "$$bins")/lull-window"; \
	awk 'BEGIN { n = 0 } \
		{ print } \
		/^Exec :=/ { print "Window := \"lull-window\"" } \
		/^\t(install|-rm) / && /\/bin\/\$$\(Exec\)/ { gsub(/\$$\(Exec\)/, "$$(Window)"); print; n++ } \
		END { if (n != 4) { printf "the Makefile fyne wrote changed: %d lines install or remove bin/$$(Exec), want 4\n", n > "/dev/stderr"; exit 1 } }' \
		"$$tree/Makefile" >"$$stage/Makefile" || die "cannot add lull-window to the package's Makefile"; \
	grep -q '^Window := "lull-window"$$' "$$stage/Makefile" || die "fyne's Makefile has no Exec := line"; \
	cat "$$stage/Makefile" >"$$tree/Makefile"; \
	tar -cJf "$$stage/Lull.tar.xz" --owner=0 --group=0 --numeric-owner -C "$$tree" usr Makefile; \
	mv "$$stage/Lull.tar.xz" $(DIST)/Lull.tar.xz; \
	echo "wrote $(DIST)/Lull.tar.xz ($$(du -h $(DIST)/Lull.tar.xz | cut -f1)): bin/lull and bin/lull-window"

package-check:
	bash scripts/package-check.sh

cross:
	bash scripts/cross-build.sh

bench:
	bash bench/all.sh

clean:
	rm -rf $(DIST)
