#!/usr/bin/env bash
# scripts/e2e-session.sh: the end-to-end tests inside a private desktop
# session. scripts/test.sh runs it as
#
#   dbus-run-session -- bash scripts/e2e-session.sh [GO TEST ARGS...]
#
# On the private session bus it starts: Xvfb on a free display, dunst (the
# notification server), an unlocked gnome-keyring (Secret Service) and
# Radicale (CalDAV) on a free port, all with HOME and XDG_* pointing into a
# temporary directory, so the user's real keyring, config and desktop are
# never touched. Then it runs
#
#   go test -p 1 -count=1 -v -tags e2e,desktop -timeout 20m ./e2e/... ./notify/...
#
# (GO TEST ARGS, if given, replace "./e2e/... ./notify/..."; E2E_GO_FLAGS
# adds flags before them: scripts/test.sh passes "-race -vet=off" so the
# tests reuse its race-instrumented tree), fails if any
# of those tests skipped (set E2E_ALLOW_SKIP=1 to allow it), and on exit,
# success or not, stops every process it started and checks none remain.
#
# Environment for the tests: DISPLAY, DBUS_SESSION_BUS_ADDRESS,
# RADICALE_URL=http://127.0.0.1:PORT (auth none, anyone may write anything;
# empty storage),
# E2E_REAL_KEYRING=1, E2E_DESKTOP=1, LANG, and LULL_BIN / LULL_TESTCLOCK_BIN / LULL_WINDOW_BIN
# (the app built with -tags lulltest) if the caller set them.
# Logs: test-artifacts/e2e/ (override with E2E_LOGS).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/deps.sh

[ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ] ||
	die "no session bus; run this as: dbus-run-session -- bash scripts/e2e-session.sh"
require_go
set_locale force
for cmd in Xvfb xdpyinfo dunst gnome-keyring-daemon secret-tool radicale curl dbus-send; do
	command -v "$cmd" >/dev/null 2>&1 || die "$cmd not found (scripts/test.sh installs SESSION_PACKAGES)"
done
[ -x /usr/bin/python3 ] || die "/usr/bin/python3 not found (radicale's dependency)"

LOGS=${E2E_LOGS:-test-artifacts/e2e}
mkdir -p "$LOGS"
LOGS=$(cd "$LOGS" && pwd -P)
rm -f "$LOGS"/*.log

# Go keeps its caches and settings where they were before HOME moves.
GOCACHE=$(go env GOCACHE)
GOMODCACHE=$(go env GOMODCACHE)
GOPATH=$(go env GOPATH)
GOENV=$(go env GOENV)
export GOCACHE GOMODCACHE GOPATH GOENV

SESSION_TMP=$(mktemp -d "${TMPDIR:-/tmp}/lull-e2e.XXXXXX")
export HOME=$SESSION_TMP/home
export XDG_CONFIG_HOME=$HOME/.config XDG_DATA_HOME=$HOME/.local/share
export XDG_CACHE_HOME=$HOME/.cache XDG_STATE_HOME=$HOME/.local/state
export XDG_RUNTIME_DIR=$SESSION_TMP/run
mkdir -p "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" "$XDG_CACHE_HOME" "$XDG_STATE_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$SESSION_TMP" "$XDG_RUNTIME_DIR"
unset WAYLAND_DISPLAY GNOME_KEYRING_CONTROL SSH_AUTH_SOCK

# --- process bookkeeping -----------------------------------------------------

started_names=()
started_pids=()

remember() { # remember NAME PID
	started_names+=("$1")
	started_pids+=("$2")
}

alive() { # alive PID: running and not a zombie
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	[ "${stat%% *}" != Z ]
}

stop_all() {
	local i pid name t remaining=()
	for ((i = ${#started_pids[@]} - 1; i >= 0; i--)); do
		pid=${started_pids[i]}
		alive "$pid" && kill -TERM "$pid" 2>/dev/null
	done
	for ((i = ${#started_pids[@]} - 1; i >= 0; i--)); do
		pid=${started_pids[i]} name=${started_names[i]}
		for ((t = 0; t < 50; t++)); do
			alive "$pid" || break
			sleep 0.1
		done
		if alive "$pid"; then
			echo "$name (pid $pid) ignored SIGTERM; sending SIGKILL" >&2
			kill -KILL "$pid" 2>/dev/null
			sleep 0.2
		fi
		wait "$pid" 2>/dev/null # reap our own children
		alive "$pid" && remaining+=("$name (pid $pid)")
	done
	if [ ${#remaining[@]} -gt 0 ]; then
		echo "error: still running after clean-up: ${remaining[*]}" >&2
		return 1
	fi
	echo "stopped: ${started_names[*]:-nothing}; none remain"
}

cleanup() {
	local rc=$?
	set +e
	trap - EXIT INT TERM
	if [ $rc -ne 0 ]; then
		for f in "$LOGS"/xvfb.log "$LOGS"/dunst.log "$LOGS"/gnome-keyring.log "$LOGS"/radicale.log; do
			[ -s "$f" ] || continue
			echo "--- last lines of $f" >&2
			tail -n 20 "$f" >&2
		done
	fi
	step "Stopping the session's processes"
	stop_all || rc=1
	rm -rf "$SESSION_TMP"
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- D-Bus helpers ------------------------------------------------------------

name_has_owner() {
	dbus-send --session --dest=org.freedesktop.DBus --type=method_call --print-reply \
		/org/freedesktop/DBus org.freedesktop.DBus.NameHasOwner "string:$1" 2>/dev/null |
		grep -q 'boolean true'
}

owner_pid() {
	dbus-send --session --dest=org.freedesktop.DBus --type=method_call --print-reply \
		/org/freedesktop/DBus org.freedesktop.DBus.GetConnectionUnixProcessID "string:$1" |
		awk '/uint32/ { print $2 }'
}

wait_for_name() { # wait_for_name NAME SECONDS [PID that must stay alive]
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		name_has_owner "$1" && return 0
		if [ -n "${3:-}" ] && ! alive "$3"; then
			die "the process meant to own $1 (pid $3) exited"
		fi
		sleep 0.1
	done
	die "nobody owns $1 on the session bus after $2 s"
}

# --- Xvfb ---------------------------------------------------------------------

step "Xvfb"
start_xvfb "$LOGS/xvfb.log"
pid=$XVFB_PID
remember Xvfb "$pid"
xdpyinfo >/dev/null 2>&1 || die "Xvfb on $DISPLAY does not answer xdpyinfo (log: $LOGS/xvfb.log)"
echo "DISPLAY=$DISPLAY (1280x800x24), pid $pid"

# --- dunst --------------------------------------------------------------------

step "dunst (org.freedesktop.Notifications)"
name_has_owner org.freedesktop.Notifications &&
	die "org.freedesktop.Notifications already has an owner on this private bus"
dunst >"$LOGS/dunst.log" 2>&1 &
pid=$!
remember dunst "$pid"
wait_for_name org.freedesktop.Notifications 10 "$pid"
owner=$(owner_pid org.freedesktop.Notifications)
[ "$owner" = "$pid" ] || die "org.freedesktop.Notifications is owned by pid $owner, not our dunst ($pid)"
echo "dunst pid $pid"

# --- gnome-keyring ------------------------------------------------------------

step "gnome-keyring (org.freedesktop.secrets), unlocked, in $HOME"
# --daemonize: the parent prints the environment and exits; the daemon keeps
# no stdout, so the command substitution returns.
keyring_env=$(printf pw | gnome-keyring-daemon --unlock --components=secrets --daemonize 2>>"$LOGS/gnome-keyring.log") ||
	die "gnome-keyring-daemon failed (log: $LOGS/gnome-keyring.log)"
while IFS='=' read -r var value; do
	case $var in
	GNOME_KEYRING_CONTROL | SSH_AUTH_SOCK) export "$var=$value" ;;
	esac
done <<<"$keyring_env"
wait_for_name org.freedesktop.secrets 10
pid=$(owner_pid org.freedesktop.secrets)
[ -n "$pid" ] || die "cannot tell which process owns org.freedesktop.secrets"
remember gnome-keyring-daemon "$pid"
case $(cat "/proc/$pid/comm" 2>/dev/null) in
gnome-keyring*) ;;
*) die "org.freedesktop.secrets is owned by pid $pid, which is not gnome-keyring-daemon" ;;
esac
# Prove it stores and returns a secret without a prompt.
printf 'probe-secret' | timeout 10 secret-tool store --label='lull e2e probe' lull-e2e probe ||
	die "secret-tool store failed: the keyring is not usable"
got=$(timeout 10 secret-tool lookup lull-e2e probe) || true
[ "$got" = probe-secret ] || die "secret-tool lookup returned '$got', want 'probe-secret'"
timeout 10 secret-tool clear lull-e2e probe || true
echo "gnome-keyring-daemon pid $pid; keyring in $XDG_DATA_HOME/keyrings"

# --- Radicale -----------------------------------------------------------------

step "Radicale (CalDAV, auth none)"
# auth none + rights authenticated: any request, with or without a user name,
# may create and write any collection (curl -X MKCALENDAR $RADICALE_URL/alice/work/).
rad=$SESSION_TMP/radicale
mkdir -p "$rad/collections"
radicale_up=
for attempt in 1 2 3; do
	port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	cat >"$rad/config" <<CONF
[server]
hosts = 127.0.0.1:$port
[auth]
type = none
[rights]
type = authenticated
[storage]
filesystem_folder = $rad/collections
[logging]
level = info
CONF
	radicale --config "$rad/config" >>"$LOGS/radicale.log" 2>&1 &
	pid=$!
	for ((i = 0; i < 150; i++)); do
		code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$port/") || true
		if [ "$code" != 000 ] && [ -n "$code" ]; then
			radicale_up=1
			break
		fi
		alive "$pid" || break
		sleep 0.1
	done
	if [ -n "$radicale_up" ]; then
		remember radicale "$pid"
		break
	fi
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	echo "radicale did not come up on port $port (attempt $attempt)" >&2
done
[ -n "$radicale_up" ] || die "radicale did not start (log: $LOGS/radicale.log)"
export RADICALE_URL=http://127.0.0.1:$port
echo "RADICALE_URL=$RADICALE_URL, pid $pid, storage $rad/collections"

# --- the tests ----------------------------------------------------------------

export E2E_REAL_KEYRING=1 E2E_DESKTOP=1
if [ $# -eq 0 ]; then
	set -- ./e2e/... ./notify/...
fi
# -p 1: one package's tests at a time. They share this one desktop, and
# e.g. the app tests in e2e/ pause dunst (focus) while notify's desktop test
# checks dunst's paused state; run side by side they break each other.
step "go test ${E2E_GO_FLAGS:-} -p 1 -count=1 -v -tags e2e,desktop -timeout 20m $*"
echo "LULL_BIN=${LULL_BIN:-(not set)}"
echo "LULL_TESTCLOCK_BIN=${LULL_TESTCLOCK_BIN:-(not set)}"
go test ${E2E_GO_FLAGS:-} -p 1 -count=1 -v -tags e2e,desktop -timeout 20m "$@" 2>&1 | tee "$LOGS/go-test.log"

if [ "${E2E_ALLOW_SKIP:-}" != 1 ] && grep -q -- '--- SKIP' "$LOGS/go-test.log"; then
	grep -B1 -- '--- SKIP' "$LOGS/go-test.log" >&2
	die "end-to-end tests skipped inside the desktop session (above); every one must run here (E2E_ALLOW_SKIP=1 allows it)"
fi
echo "end-to-end tests passed"
