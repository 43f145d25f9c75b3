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

# XVFB_START_TIMEOUT is how long start_xvfb waits for Xvfb to report its
# display: it takes well under a second; 15 s covers a loaded machine.
XVFB_START_TIMEOUT=15

# start_xvfb LOG: starts Xvfb (1280x800x24, no TCP) on a display it picks
# itself (-displayfd: the server takes the first free number and writes it
# once it listens, so two scripts starting Xvfb at once never share or
# steal a display, as probing for a free number and then asking
# xdpyinfo could: xdpyinfo answers for whichever server holds the number).
# Sets XVFB_PID and exports DISPLAY; dies when Xvfb does not come up.
start_xvfb() {
	local log=$1 numdir n=
	numdir=$(mktemp -d "${TMPDIR:-/tmp}/lull-xvfb.XXXXXX")
	: >"$numdir/display" # there before Xvfb's shell opens it
	Xvfb -displayfd 9 -screen 0 1280x800x24 -nolisten tcp 9>"$numdir/display" >"$log" 2>&1 &
	XVFB_PID=$!
	for ((i = 0; i < XVFB_START_TIMEOUT * 10; i++)); do
		n=$(tr -dc 0-9 <"$numdir/display")
		# The number is complete once its newline is written.
		if [ -n "$n" ] && [ "$(tail -c1 "$numdir/display" | od -An -c | tr -d ' ')" = '\n' ]; then
			break
		fi
		n=
		kill -0 "$XVFB_PID" 2>/dev/null || break
		sleep 0.1
	done
	rm -rf "$numdir"
	if [ -z "$n" ]; then
		kill -KILL "$XVFB_PID" 2>/dev/null
		die "Xvfb did not start within $XVFB_START_TIMEOUT s: $(tail -n 5 "$log")"
	fi
	export DISPLAY=:$n
}
