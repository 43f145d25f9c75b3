#!/bin/sh
# Pause music and videos while you focus; play them again when focus ends.
#
#   lull hooks add focus.started --exec /path/to/pause-media.sh
#   lull hooks add focus.ended   --exec /path/to/pause-media.sh
#
# Needs playerctl (Debian/Ubuntu: apt install playerctl), which talks to
# every MPRIS player (Spotify, Firefox, VLC, Rhythmbox, ...). Lull runs this
# without a shell of its own, with the event's name in LULL_EVENT and the
# event as JSON on stdin. Only players this script paused are resumed.
set -eu
state="${XDG_RUNTIME_DIR:-/tmp}/lull-paused-players"
case "${LULL_EVENT:-}" in
focus.started)
	: > "$state"
	for p in $(playerctl --list-all 2>/dev/null); do
		if [ "$(playerctl --player="$p" status 2>/dev/null)" = Playing ]; then
			playerctl --player="$p" pause && echo "$p" >> "$state"
		fi
	done
	;;
focus.ended)
	[ -f "$state" ] || exit 0
	while read -r p; do
		playerctl --player="$p" play || true
	done < "$state"
	rm -f "$state"
	;;
*)
	echo "pause-media.sh: nothing to do on ${LULL_EVENT:-no event}" >&2
	;;
esac
