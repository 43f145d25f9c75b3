#!/bin/sh
# Post each event to a chat or automation webhook with curl, in the shape
# it expects (here Slack's and Mattermost's {"text": ...}).
#
#   lull hooks add focus.started --exec /path/to/post-webhook.sh
#   lull hooks add focus.ended   --exec /path/to/post-webhook.sh
#
# The webhook's address is a secret: keep it in a file only you can read
# (chmod 600 ~/.config/lull/chat-webhook), not in the hook's arguments.
# For a receiver that takes Lull's own JSON as it is, skip this script:
#
#   lull hooks add focus.started --webhook < ~/.config/lull/chat-webhook
#
# Needs curl (apt install curl).
set -eu
url_file="${LULL_WEBHOOK_FILE:-$HOME/.config/lull/chat-webhook}"
case "${LULL_EVENT:-}" in
focus.started) text="Focusing for ${LULL_MINUTES:-?} min: back at $(date -d "${LULL_PLANNED_END:-now}" +%H:%M 2>/dev/null || echo later)" ;;
focus.ended) text="Back from ${LULL_MINUTES:-?} min of focus (${LULL_INTERRUPTIONS:-0} interruptions)" ;;
digest.delivered) text="Caught up on ${LULL_TOTAL:-?} notifications: ${LULL_SOURCES:-}" ;;
*) text="Lull: ${LULL_EVENT:-an event}" ;;
esac
# JSON-escape the text (backslashes and quotes).
esc=$(printf '%s' "$text" | sed 's/\\/\\\\/g; s/"/\\"/g')
# The address goes to curl on stdin (as its config), never as an argument,
# where other programs could read it.
printf 'url = "%s"\n' "$(cat "$url_file")" |
	curl --config - --silent --show-error --fail --max-time 5 \
		-H 'Content-Type: application/json' \
		--data "{\"text\":\"$esc\"}" > /dev/null
