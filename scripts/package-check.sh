#!/usr/bin/env bash
# scripts/package-check.sh: build the Linux package (make package) and check
# what a user would install from it.
#
#   bash scripts/package-check.sh [--no-build]
#
# Unpacks dist/Lull.tar.xz into a temporary directory, installs it from
# there with the package's own Makefile into a temporary prefix
# (make install DESTDIR=TMP PREFIX=/usr), and checks the installed tree:
#   - bin/lull runs: `lull --help` exits 0 (LULL_HOME and HOME in a temp dir),
#   - bin/lull-window, the window process, is installed beside it (a 64-bit
#     ELF); `lull-window --help` exits 0 with its usage, and with no display
#     it says so in words and exits 1 (no panic),
#   - a plain `lull` run from the installed bin/ with no Lull running, no
#     display, no LULL_WINDOW_BIN and no lull-window on PATH starts the
#     resident and it finds bin/lull-window beside itself and starts it
#     (never "not installed"); the resident is stopped afterwards,
#   - exactly one .desktop file; desktop-file-validate accepts it without
#     remarks; Name=Lull;
#     Exec= is lull (installed in bin/) or the installed binary's path;
#     Categories= has Office and Calendar (one main category, so Lull shows
#     once in menus); Icon= names an installed icon,
#   - that icon is a 512x512 PNG, byte-identical to assets/icon.png (or, if
#     the packager re-encoded it, the same picture).
# Nothing outside the temporary directory is touched (besides dist/).
# Installs missing Debian packages (make, xz-utils, desktop-file-utils,
# imagemagick) like the other scripts.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd -P)
. scripts/deps.sh

require_go
ensure_packages make xz-utils file desktop-file-utils imagemagick

t0=$SECONDS
if [ "${1:-}" != --no-build ]; then
	step "make package"
	make package || die "make package failed"
fi
PKG=$ROOT/dist/Lull.tar.xz
[ -s "$PKG" ] || die "$PKG is missing (run make package)"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/lull-package-check.XXXXXX")
# RESIDENT is the pid of the resident process a plain `lull` started here;
# it is stopped on the way out.
RESIDENT=
cleanup() {
	[ -z "$RESIDENT" ] || stop_resident
	rm -rf "$TMP"
}
trap cleanup EXIT
failures=0
fail() {
	printf 'FAIL: %s\n' "$*" >&2
	failures=$((failures + 1))
}
ok() { printf 'ok:   %s\n' "$*"; }

step "Unpack $PKG and install it into a temporary prefix"
mkdir -p "$TMP/unpacked" "$TMP/root"
tar -xJf "$PKG" -C "$TMP/unpacked" || die "cannot unpack $PKG"
(cd "$TMP/unpacked" && find . -type f | sort)
[ -f "$TMP/unpacked/Makefile" ] || die "the package has no Makefile to install it with"
make -s -C "$TMP/unpacked" install DESTDIR="$TMP/root" PREFIX=/usr ||
	die "make install from the package failed"
PREFIX=$TMP/root/usr
(cd "$TMP/root" && find . -type f | sort)

# The installed programs run as on a machine with no desktop session: no
# display, no session bus, HOME and LULL_HOME in $TMP, a PATH with no
# lull-window on it and no LULL_WINDOW_BIN, so lull can only find the
# window beside itself.
SAFE_PATH=/usr/bin:/bin
mkdir -p "$TMP/home" "$TMP/data"
installed() { # installed PROGRAM ARGS...: run $PREFIX/bin/PROGRAM like that
	local prog=$1
	shift
	env -u DISPLAY -u WAYLAND_DISPLAY -u DBUS_SESSION_BUS_ADDRESS -u LULL_WINDOW_BIN \
		-u XDG_CONFIG_HOME -u XDG_DATA_HOME -u XDG_STATE_HOME -u XDG_CACHE_HOME \
		PATH="$SAFE_PATH" HOME="$TMP/home" LULL_HOME="$TMP/data" "$PREFIX/bin/$prog" "$@"
}

# stop_resident: SIGTERM to the resident this check started (RESIDENT),
# SIGKILL if it is still there after 20 s; only that process, and only if
# it still is the installed lull.
stop_resident() {
	local pid=$RESIDENT i
	RESIDENT=
	[ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$(realpath "$PREFIX/bin/lull")" ] || return 0
	kill -TERM "$pid" 2>/dev/null || return 0
	for ((i = 0; i < 200; i++)); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	fail "the resident (pid $pid) did not stop within 20 s of SIGTERM"
}

# wait_for FILE PATTERN: wait up to 60 s (a loaded machine) for an
# extended regular expression to appear in FILE.
wait_for() {
	local i
	for ((i = 0; i < 600; i++)); do
		grep -Eq "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

step "The binaries"
BIN=$PREFIX/bin/lull
WIN=$PREFIX/bin/lull-window
if [ ! -x "$BIN" ]; then
	fail "no executable bin/lull in the installed tree"
else
	if out=$(installed lull --help 2>&1); then
		if grep -qi usage <<<"$out"; then
			ok "lull --help exits 0 and prints usage"
		else
			fail "lull --help exited 0 but printed no usage: $out"
		fi
	else
		fail "lull --help exited $?: $out"
	fi
	file "$BIN" | grep -q 'ELF 64-bit' || fail "bin/lull is not a 64-bit ELF: $(file "$BIN")"
fi

if [ ! -x "$WIN" ]; then
	fail "no executable bin/lull-window beside bin/lull: plain lull, the desktop entry and the tray's Open Lull would open no window"
else
	ok "bin/lull-window is installed beside bin/lull"
	if file "$WIN" | grep -q 'ELF 64-bit'; then
		ok "bin/lull-window is a 64-bit ELF"
	else
		fail "bin/lull-window is not a 64-bit ELF: $(file "$WIN")"
	fi
	if out=$(installed lull-window --help 2>&1); then
		if grep -q '^usage: lull-window' <<<"$out"; then
			ok "lull-window --help exits 0 and prints its usage (no display needed)"
		else
			fail "lull-window --help exited 0 but printed no usage: $out"
		fi
	else
		fail "lull-window --help exited $?: $out"
	fi
	rc=0
	out=$(installed lull-window 2>&1) || rc=$?
	if [ "$rc" = 1 ] && grep -q "cannot open Lull's window: there is no display" <<<"$out" &&
		! grep -Eq 'panic|goroutine' <<<"$out"; then
		ok "lull-window with no display says so and exits 1: ${out#lull-window: }"
	else
		fail "lull-window with no display: exit $rc, want 1 and a sentence saying there is no display (no panic): $out"
	fi
	rm -rf "$TMP/data" && mkdir -p "$TMP/data"
fi

if [ -x "$BIN" ] && [ -x "$WIN" ]; then
	if PATH=$SAFE_PATH command -v lull-window >/dev/null || PATH=$SAFE_PATH command -v lull >/dev/null; then
		fail "$SAFE_PATH already has a lull or lull-window: cannot check that lull finds the installed window beside itself"
	else
		rc=0
		out=$(installed lull 2>&1) || rc=$?
		RESIDENT=$(sed -n 's/^ *"pid": *\([0-9][0-9]*\),*$/\1/p' "$TMP/data/api.json" 2>/dev/null) || true
		if grep -qi 'not installed' <<<"$out"; then
			fail "plain lull says the window is not installed (exit $rc): $out"
		elif [ "$rc" != 0 ]; then
			fail "plain lull with no Lull running exited $rc: $out"
		else
			ok "plain lull with no Lull running exits 0: $out"
		fi
		# The resident starts the window at once and logs the start in
		# window.log; with no display the window then says so there, and
		# the resident notes in lull.log that it ended.
		if wait_for "$TMP/data/window.log" "starting $WIN( |\$)" &&
			wait_for "$TMP/data/lull.log" 'the window ended'; then
			ok "the resident found and started bin/lull-window beside bin/lull"
		else
			fail "the resident did not start $WIN within 60 s; window.log: $(cat "$TMP/data/window.log" 2>&1); lull.log: $(cat "$TMP/data/lull.log" 2>&1)"
		fi
		if grep -qi 'not installed' "$TMP/data/lull.log" "$TMP/data/window.log" 2>/dev/null; then
			fail "the resident says the window is not installed: $(grep -hi 'not installed' "$TMP/data/lull.log" "$TMP/data/window.log" 2>/dev/null)"
		fi
		if grep -q "cannot open Lull's window: there is no display" "$TMP/data/window.log" 2>/dev/null &&
			! grep -Eq 'panic|goroutine' "$TMP/data/window.log"; then
			ok "the window it started said in window.log that there is no display"
		else
			fail "window.log lacks the window's no-display sentence, or has a panic: $(cat "$TMP/data/window.log" 2>&1)"
		fi
		if [ -z "$RESIDENT" ]; then
			fail "no resident pid in $TMP/data/api.json: $(cat "$TMP/data/api.json" 2>&1)"
		else
			stop_resident
		fi
	fi
fi

step "The desktop entry"
mapfile -t desktops < <(find "$PREFIX/share/applications" -name '*.desktop' 2>/dev/null)
if [ ${#desktops[@]} -ne 1 ]; then
	fail "expected exactly one .desktop file in share/applications, found ${#desktops[@]}: ${desktops[*]:-none}"
else
	D=${desktops[0]}
	echo "${D#"$TMP/root"}:"
	sed 's/^/    /' "$D"
	key() { # first value of KEY in the [Desktop Entry] group
		awk -v k="$1" '/^\[/ { g = $0 } g == "[Desktop Entry]" && index($0, k "=") == 1 {
			print substr($0, length(k) + 2); exit }' "$D"
	}
	if v=$(desktop-file-validate "$D" 2>&1); then
		if [ -n "$v" ]; then
			# Hints count: "more than one main category" puts Lull in two menus.
			fail "desktop-file-validate has remarks: $v"
		else
			ok "desktop-file-validate accepts it without remarks"
		fi
	else
		fail "desktop-file-validate: $v"
	fi
	name=$(key Name)
	[ "$name" = Lull ] && ok "Name=Lull" || fail "Name is \"$name\", want \"Lull\""

	exec_line=$(key Exec)
	exe=${exec_line%% *}
	case $exe in
	lull) [ -x "$PREFIX/bin/lull" ] && ok "Exec=$exec_line (lull is installed in bin/)" ||
		fail "Exec=$exec_line but bin/lull is not installed" ;;
	/*) [ -x "$TMP/root$exe" ] && [ "$(basename "$exe")" = lull ] && ok "Exec=$exec_line (installed binary)" ||
		fail "Exec=$exec_line does not point at the installed lull binary" ;;
	*) fail "Exec=\"$exec_line\": want lull or the installed binary's path" ;;
	esac

	cats=$(key Categories)
	for c in Office Calendar; do
		if tr ';' '\n' <<<"$cats" | grep -qx "$c"; then
			ok "Categories has $c"
		else
			fail "Categories=\"$cats\" lacks $c"
		fi
	done

	icon_key=$(key Icon)
	icon=
	if [ -z "$icon_key" ]; then
		fail "no Icon= line"
	elif [ "${icon_key#/}" != "$icon_key" ]; then
		icon=$TMP/root$icon_key
	else
		# An icon name: look where the icon theme spec looks, in this prefix.
		for cand in "$PREFIX/share/icons/hicolor/512x512/apps/$icon_key.png" \
			"$PREFIX"/share/icons/hicolor/*/apps/"$icon_key".png \
			"$PREFIX/share/pixmaps/$icon_key.png"; do
			[ -f "$cand" ] && { icon=$cand; break; }
		done
	fi
	if [ -n "$icon_key" ] && [ -z "$icon" ] || { [ -n "$icon" ] && [ ! -f "$icon" ]; }; then
		fail "Icon=$icon_key: no such icon installed (looked in share/icons/hicolor/*/apps and share/pixmaps)"
	elif [ -n "$icon" ]; then
		ok "Icon=$icon_key -> ${icon#"$TMP/root"}"
		sig=$(od -An -tx1 -N8 "$icon" | tr -d ' \n')
		if [ "$sig" != 89504e470d0a1a0a ]; then
			fail "the icon is not a PNG ($(file -b "$icon"))"
		else
			w=$(od -An -tu1 -j16 -N4 "$icon" | awk '{ print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4 }')
			h=$(od -An -tu1 -j20 -N4 "$icon" | awk '{ print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4 }')
			[ "$w" = 512 ] && [ "$h" = 512 ] && ok "the icon is a 512x512 PNG" ||
				fail "the icon is ${w}x${h}, want 512x512"
			if cmp -s "$icon" assets/icon.png; then
				ok "the icon is byte-identical to assets/icon.png"
			else
				# Re-encoded or resized: compare the pictures (Debian's
				# ImageMagick, not a stand-in convert earlier on PATH).
				/usr/bin/convert assets/icon.png -resize 512x512! "$TMP/ref.png"
				err=$(/usr/bin/compare -metric RMSE "$icon" "$TMP/ref.png" null: 2>&1 | sed 's/.*(\(.*\))/\1/') || true
				if [[ $err =~ ^[0-9.]+(e-?[0-9]+)?$ ]] && awk -v e="$err" 'BEGIN { exit !(e + 0 <= 0.02) }'; then
					ok "the icon is assets/icon.png re-encoded (normalised RMSE $err)"
				else
					fail "the icon differs from assets/icon.png (normalised RMSE $err)"
				fi
			fi
		fi
	fi
fi

echo
if [ "$failures" -gt 0 ]; then
	die "package check: $failures problem(s) in $PKG (see FAIL lines above)"
fi
echo "package check passed in $((SECONDS - t0)) s: $PKG ($(du -h "$PKG" | cut -f1))"
