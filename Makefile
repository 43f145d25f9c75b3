# Lull: everyday commands. Each target is a thin wrapper; the scripts work
# without make too.
#
#   make run       build and start Lull (scripts/run.sh)
#   make test      the whole test suite (scripts/test.sh)
#   make package   Linux package dist/Lull.tar.xz (fyne CLI pinned as a Go tool in go.mod)
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

# The binary is built here (release tags and flags, as `fyne package
# -release` would) and handed to `fyne package -exe`. fyne reads FyneApp.toml
# from its -src directory and bumps Build in it after packaging, so -src is a
# temporary copy: the repository's FyneApp.toml is never rewritten and no
# generated file appears in cmd/lull. The archive lands in the current
# directory, hence the cd.
package:
	@set -euo pipefail; \
	. scripts/deps.sh; require_go; ensure_packages $$BUILD_PACKAGES xz-utils; \
	stage=$$(mktemp -d "$${TMPDIR:-/tmp}/lull-package.XXXXXX"); \
	trap 'rm -rf "$$stage"' EXIT; \
	mkdir -p $(DIST); rm -f $(DIST)/Lull.tar.xz; \
	CGO_ENABLED=1 go build -tags release -trimpath -ldflags "-s -w" -o "$$stage/lull" ./cmd/lull; \
	cp FyneApp.toml "$$stage/FyneApp.toml"; \
	printf 'package main\n' >"$$stage/main.go"; \
	cd $(DIST) && go tool fyne package -os linux -release -name Lull \
		-src "$$stage" -exe "$$stage/lull" -icon "$(CURDIR)/assets/icon.png"; \
	test -s Lull.tar.xz || die "fyne package did not write $(DIST)/Lull.tar.xz"; \
	echo "wrote $(DIST)/Lull.tar.xz ($$(du -h Lull.tar.xz | cut -f1))"

package-check:
	bash scripts/package-check.sh

cross:
	bash scripts/cross-build.sh

bench:
	bash bench/all.sh

clean:
	rm -rf $(DIST)
