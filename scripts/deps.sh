# scripts/deps.sh: shared set-up for scripts/run.sh and scripts/test.sh.
# Source it from bash:  . scripts/deps.sh
#
# Provides:
#   BUILD_PACKAGES, SESSION_PACKAGES  Debian packages for a GUI build and for
#                                     the private desktop session of the e2e tests
#   ensure_packages PKG...            install the missing ones (apt-get, as root or via sudo)
#   require_go                        fail clearly unless `go` is on PATH
#   set_locale [force]                LANG=en_US.UTF-8 if that locale exists, else C.UTF-8
#                                     (and LANGUAGE=en_US for Fyne)
#   go_vcs_guard                      turn off Go's VCS stamping when git cannot read the checkout
#   step TITLE                        print a step header
#   die MESSAGE                       print an error and exit 1
#
# Never add dbus-x11 here: with it installed, godbus silently launches stray
# session buses whenever none exists.

# shellcheck shell=bash

BUILD_PACKAGES="gcc pkg-config libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev libxinerama-dev libxi-dev libxxf86vm-dev"
SESSION_PACKAGES="xvfb x11-utils dbus dunst libnotify-bin gnome-keyring libsecret-tools imagemagick xdotool radicale curl openbox wmctrl"

die() {
	printf '\nerror: %s\n' "$*" >&2
	exit 1
}

step() {
	printf '\n==> %s\n' "$*"
}

# _pkg_installed PKG: true when dpkg reports PKG as installed.
_pkg_installed() {
	local status
	status=$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) || return 1
	[ "$status" = "install ok installed" ]
}

_LULL_APT_UPDATED=${_LULL_APT_UPDATED:-}

# ensure_packages PKG...: install only the packages that are missing.
# `apt-get update` runs at most once per shell, and only if something is
# missing.
ensure_packages() {
	local pkg missing=()
	command -v dpkg-query >/dev/null 2>&1 ||
		die "dpkg-query not found: these scripts install OS packages with apt and need Debian or Ubuntu (install the packages yourself: $*)"
	for pkg in "$@"; do
		case $pkg in
		dbus-x11) die "refusing to install dbus-x11 (it makes godbus launch stray session buses)" ;;
		esac
		_pkg_installed "$pkg" || missing+=("$pkg")
	done
	[ ${#missing[@]} -eq 0 ] && return 0

	local sudo=()
	if [ "$(id -u)" -ne 0 ]; then
		command -v sudo >/dev/null 2>&1 ||
			die "missing Debian packages: ${missing[*]}; not root and sudo is not installed, so install them as root: apt-get install ${missing[*]}"
		sudo=(sudo)
	fi
	echo "Installing missing Debian packages: ${missing[*]}"
	if [ -z "$_LULL_APT_UPDATED" ]; then
		"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update ||
			die "apt-get update failed"
		_LULL_APT_UPDATED=1
	fi
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y --no-install-recommends "${missing[@]}" ||
		die "apt-get install ${missing[*]} failed"
	for pkg in "${missing[@]}"; do
		_pkg_installed "$pkg" || die "package $pkg is still not installed after apt-get install"
	done
}

# require_go: Go itself is a prerequisite (the version go.mod names or newer).
# A Go in /usr/local/go (the official tarball's place) that is merely not on
# PATH is picked up.
require_go() {
	if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then
		PATH=/usr/local/go/bin:$PATH
		export PATH
	fi
	command -v go >/dev/null 2>&1 ||
		die "the 'go' command is not on PATH. Install Go (see the 'go' line in go.mod for the version, https://go.dev/doc/install) and add its bin directory to PATH."
}

# set_locale [force]: Fyne complains under the "C" locale. Without "force"
# a UTF-8 LANG the user already has is kept.
set_locale() {
	if [ "${1:-}" != force ]; then
		case ${LANG:-} in
		*.UTF-8 | *.utf8 | *.UTF8 | *.utf-8) return 0 ;;
		esac
	fi
	if locale -a 2>/dev/null | grep -qix 'en_US\.utf-\?8'; then
		LANG=en_US.UTF-8
	else
		LANG=C.UTF-8
		# Fyne takes its language from LANG, which here says "C" ("Fyne
		# error: Error parsing user locale C"); with LANGUAGE set it reads
		# that instead. glibc keeps using C.UTF-8.
		: "${LANGUAGE:=en_US}"
		export LANGUAGE
	fi
	export LANG
	# LC_ALL would override LANG; drop it if it names a non-UTF-8 locale.
	case ${LC_ALL:-} in
	'' | *.UTF-8 | *.utf8) ;;
	*) unset LC_ALL ;;
	esac
}

# go_vcs_guard: `go build` stamps binaries with the git revision and fails
# ("error obtaining VCS status") when git cannot read the checkout: git not
# installed, or "dubious ownership" when the clone belongs to another user
# (common in CI). Lull does not use that stamp, so switch it off then.
# Call it from the repository root.
go_vcs_guard() {
	[ -e .git ] || return 0
	if ! command -v git >/dev/null 2>&1 || ! git status --porcelain >/dev/null 2>&1; then
		echo "note: git cannot read this checkout; building with -buildvcs=false"
		GOFLAGS="${GOFLAGS:+$GOFLAGS }-buildvcs=false"
		export GOFLAGS
	fi
}
