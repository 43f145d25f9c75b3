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
trap 'rm -rf "$TMP"' EXIT
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

step "The binary"
BIN=$PREFIX/bin/lull
if [ ! -x "$BIN" ]; then
	fail "no executable bin/lull in the installed tree"
else
	mkdir -p "$TMP/home" "$TMP/data"
	if out=$(env -u DISPLAY -u WAYLAND_DISPLAY -u DBUS_SESSION_BUS_ADDRESS \
		HOME="$TMP/home" LULL_HOME="$TMP/data" "$BIN" --help 2>&1); then
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
