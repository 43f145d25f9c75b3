#!/usr/bin/env bash
# bench/footprint.sh: idle footprint of Lull (its window shown) beside a
# minimal Fyne window (bench/minimal), measured one after the other in the
# same run on the same display, so the ratio Lull/minimal is what Lull adds
# on top of Fyne itself.
#
#   bash bench/footprint.sh
#
# For each program: start it with a fresh LULL_HOME / HOME, wait for its
# window, let it settle (SETTLE seconds, default 10), then over an idle
# window of WINDOW seconds (default 20) measure
#   - RSS: VmRSS from /proc/PID/status at the end of the window (and VmHWM),
#   - CPU: utime+stime from /proc/PID/stat, as % of one core,
#   - wakeups: context switches of all threads (voluntary + involuntary,
#     summed over /proc/PID/task/*/status), per second.
# Target (TESTING.md): a bare Fyne window idles at ~150 MB RSS and ~1.5 % of
# one core; Lull should stay close to it.
#
# Without DISPLAY it re-runs itself inside `dbus-run-session` and starts its
# own Xvfb on a free display (no window manager, no notification server).
# Installs missing Debian packages (build packages, xvfb, x11-utils, dbus).
# Set FOOTPRINT_TSV=FILE to also get the figures as tab-separated lines
# (bench/all.sh does). LULL_BIN overrides the Lull binary.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd -P)
. scripts/deps.sh

SETTLE=${SETTLE:-10}
WINDOW=${WINDOW:-60}

if [ -z "${_FOOTPRINT_INNER:-}" ]; then
	require_go
	# shellcheck disable=SC2086
	ensure_packages $BUILD_PACKAGES xvfb x11-utils dbus
	set_locale force
	export CGO_ENABLED=1
	BIN=$(mktemp -d "${TMPDIR:-/tmp}/lull-footprint-bin.XXXXXX")
	trap 'rm -rf "$BIN"' EXIT
	t=$SECONDS
	if [ -n "${LULL_BIN:-}" ]; then
		cp "$LULL_BIN" "$BIN/lull"
	else
		go build -o "$BIN/lull" ./cmd/lull || die "go build ./cmd/lull failed"
	fi
	go build -o "$BIN/minimal" ./bench/minimal || die "go build ./bench/minimal failed"
	echo "built lull and bench/minimal in $((SECONDS - t)) s" >&2
	export _FOOTPRINT_INNER=1 _FOOTPRINT_BIN=$BIN
	if [ -z "${DISPLAY:-}" ]; then
		dbus-run-session -- bash "$0" "$@"
	else
		bash "$0" "$@"
	fi
	exit $?
fi

# --- inside the session --------------------------------------------------------
BIN=$_FOOTPRINT_BIN
set_locale force
TMP=$(mktemp -d "${TMPDIR:-/tmp}/lull-footprint.XXXXXX")
xvfb_pid=
app_pid=
cleanup() {
	[ -n "$app_pid" ] && kill -TERM "$app_pid" 2>/dev/null && wait "$app_pid" 2>/dev/null
	[ -n "$xvfb_pid" ] && kill -TERM "$xvfb_pid" 2>/dev/null && wait "$xvfb_pid" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

if [ -z "${DISPLAY:-}" ]; then
	n=99
	while [ -e "/tmp/.X$n-lock" ] || [ -e "/tmp/.X11-unix/X$n" ]; do n=$((n + 1)); done
	Xvfb ":$n" -screen 0 1280x800x24 -nolisten tcp >"$TMP/xvfb.log" 2>&1 &
	xvfb_pid=$!
	export DISPLAY=:$n
	for _ in $(seq 100); do
		xdpyinfo >/dev/null 2>&1 && break
		kill -0 "$xvfb_pid" 2>/dev/null || die "Xvfb exited: $(cat "$TMP/xvfb.log")"
		sleep 0.1
	done
	xdpyinfo >/dev/null 2>&1 || die "Xvfb on $DISPLAY did not answer"
fi

ticks=$(getconf CLK_TCK)

cpu_ticks() { # utime + stime of the whole process (all threads)
	local s
	s=$(cat "/proc/$1/stat") || return 1
	s=${s##*) }
	# after "comm)", field 3 is state; utime and stime are fields 14 and 15.
	awk '{ print $12 + $13 }' <<<"$s"
}

switches() { # context switches of every live thread
	cat /proc/"$1"/task/*/status 2>/dev/null |
		awk '/^(voluntary|nonvoluntary)_ctxt_switches:/ { n += $2 } END { print n + 0 }'
}

applog() { # the first and last lines of a program's output, for an error
	grep -v -e 'Fyne error:  Error parsing user locale' -e 'Cause: language: tag' -e 'lang/locale.go' "$TMP/$1.log" |
		awk '{ l[NR] = $0 } END { for (i = 1; i <= NR; i++) if (i <= 15 || i > NR - 10) print "    " l[i]; else if (i == 16) print "    ..." }'
}

status_kb() { # status_kb PID FIELD
	awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"
}

# measure NAME TITLE CMD...: prints "NAME rss_kb hwm_kb cpu_pct wakeups_per_s threads"
measure() {
	local name=$1 title=$2 home
	shift 2
	home=$TMP/$name
	mkdir -p "$home/home" "$home/data" "$home/run"
	chmod 700 "$home/run"
	HOME=$home/home XDG_CONFIG_HOME=$home/home/.config XDG_DATA_HOME=$home/home/.local/share \
		XDG_CACHE_HOME=$home/home/.cache XDG_RUNTIME_DIR=$home/run LULL_HOME=$home/data \
		"$@" >"$TMP/$name.log" 2>&1 &
	app_pid=$!
	# measure runs in $(...), a subshell without the script's trap.
	trap '[ -n "$app_pid" ] && kill -KILL "$app_pid" 2>/dev/null' EXIT
	local i
	for i in $(seq 300); do
		if [ "$title" = "-" ]; then
			# Hidden to the tray: no window; ready once its API is published.
			[ -s "$home/data/api.json" ] && break
		else
			xwininfo -root -tree 2>/dev/null | grep -q "\"$title\"" && break
		fi
		kill -0 "$app_pid" 2>/dev/null || die "$name exited before starting; its output:"$'\n'"$(applog "$name")"
		sleep 0.1
	done
	[ "$i" -lt 300 ] || die "$name did not start (window \"$title\") in 30 s"
	sleep "$SETTLE"
	kill -0 "$app_pid" 2>/dev/null || die "$name exited while settling; its output:"$'\n'"$(applog "$name")"
	local c0 s0 t0 c1 s1 t1 rss hwm threads
	c0=$(cpu_ticks "$app_pid")
	s0=$(switches "$app_pid")
	t0=$(date +%s.%N)
	sleep "$WINDOW"
	c1=$(cpu_ticks "$app_pid") || die "$name exited during the idle window"
	s1=$(switches "$app_pid")
	t1=$(date +%s.%N)
	rss=$(status_kb "$app_pid" VmRSS)
	hwm=$(status_kb "$app_pid" VmHWM)
	threads=$(status_kb "$app_pid" Threads)
	kill -TERM "$app_pid" 2>/dev/null
	for _ in $(seq 50); do kill -0 "$app_pid" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$app_pid" 2>/dev/null || true
	wait "$app_pid" 2>/dev/null || true
	app_pid=
	awk -v n="$name" -v rss="$rss" -v hwm="$hwm" -v dc=$((c1 - c0)) -v ds=$((s1 - s0)) \
		-v t0="$t0" -v t1="$t1" -v hz="$ticks" -v th="$threads" 'BEGIN {
		dt = t1 - t0
		printf "%s %d %d %.2f %.1f %d %.2f\n", n, rss, hwm, 100 * dc / hz / dt, ds / dt, th, dc / hz
	}'
}

echo "footprint: display $DISPLAY, settle ${SETTLE} s, idle window ${WINDOW} s, $(nproc) cores" >&2
# The minimal window first, then Lull: same display, same session.
min=$(measure minimal "Fyne minimal" "$BIN/minimal")
lull=$(measure lull "Lull" "$BIN/lull")
hidden=$(measure lull-hidden - "$BIN/lull" --hidden)

read -r _ m_rss m_hwm m_cpu m_wk m_th m_cs <<<"$min"
read -r _ l_rss l_hwm l_cpu l_wk l_th l_cs <<<"$lull"
read -r _ h_rss h_hwm h_cpu h_wk h_th h_cs <<<"$hidden"
awk -v mr="$m_rss" -v mh="$m_hwm" -v mc="$m_cpu" -v mw="$m_wk" -v mt="$m_th" -v ms="$m_cs" \
	-v lr="$l_rss" -v lh="$l_hwm" -v lc="$l_cpu" -v lw="$l_wk" -v lt="$l_th" -v ls="$l_cs" \
	-v hr="$h_rss" -v hh="$h_hwm" -v hc="$h_cpu" -v hw="$h_wk" -v ht="$h_th" -v hs="$h_cs" -v win="$WINDOW" 'function ratio(a, b) {
		return b > 0 ? sprintf("%.2fx", a / b) : "n/a"
	}
	BEGIN {
		printf "%-24s %10s %10s %14s %10s %10s\n", "", "Lull", "Lull tray", "minimal Fyne", "Lull/min", "tray/min"
		printf "%-24s %10.1f %10.1f %14.1f %10s %10s\n", "RSS (MB)", lr / 1024, hr / 1024, mr / 1024, ratio(lr, mr), ratio(hr, mr)
		printf "%-24s %10.1f %10.1f %14.1f %10s %10s\n", "peak RSS (MB)", lh / 1024, hh / 1024, mh / 1024, ratio(lh, mh), ratio(hh, mh)
		printf "%-24s %10.2f %10.2f %14.2f %10s %10s\n", "CPU s over " win " s idle", ls, hs, ms, ratio(ls, ms), ratio(hs, ms)
		printf "%-24s %10.2f %10.2f %14.2f %10s %10s\n", "CPU (% of one core)", lc, hc, mc, ratio(lc, mc), ratio(hc, mc)
		printf "%-24s %10.1f %10.1f %14.1f %10s %10s\n", "wakeups (switches/s)", lw, hw, mw, ratio(lw, mw), ratio(hw, mw)
		printf "%-24s %10d %10d %14d\n", "threads", lt, ht, mt
	}'
if [ -n "${FOOTPRINT_TSV:-}" ]; then
	{
		printf 'name\trss_kb\thwm_kb\tcpu_pct\twakeups_per_s\tthreads\tcpu_s\n'
		tr ' ' '\t' <<<"$min"
		tr ' ' '\t' <<<"$lull"
		tr ' ' '\t' <<<"$hidden"
	} >"$FOOTPRINT_TSV"
fi
