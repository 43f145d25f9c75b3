#!/bin/sh
# Turn on GNOME's "Do Not Disturb" (no notification banners) while you
# focus, and off again afterwards.
#
#   lull hooks add focus.started --exec /path/to/gnome-dnd.sh
#   lull hooks add focus.ended   --exec /path/to/gnome-dnd.sh
#
# Lull already silences the desktop's pop-ups itself where the desktop lets
# it (setting "dnd"); this script is for a desktop where you want GNOME's
# own switch flipped, e.g. so the top bar shows it. Uses gsettings, which
# every GNOME desktop has. Lull sets LULL_EVENT to the event's name.
set -eu
case "${LULL_EVENT:-}" in
focus.started) gsettings set org.gnome.desktop.notifications show-banners false ;;
focus.ended) gsettings set org.gnome.desktop.notifications show-banners true ;;
*) echo "gnome-dnd.sh: nothing to do on ${LULL_EVENT:-no event}" >&2 ;;
esac
