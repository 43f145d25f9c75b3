#!/usr/bin/env bash
# bench/footprint.sh: Lull's footprint (issue 14) beside two references
# measured one after the other in the same run on the same display: a bare
# Fyne window (bench/minimal) and a bare tray icon on fyne.io/systray
# (bench/minimaltray). Lull is two processes: the resident (`lull
# --hidden`: service, API, tray; no GUI toolkit) and the window
# (`lull-window`, started from the tray on demand); bench/trayprobe stands
# in for the desktop panel (it owns org.kde.StatusNotifierWatcher, so the
# tray icons register) and measures the resident's whole process tree.
#
#   bash bench/footprint.sh
#
# For each reference: start it with a fresh HOME, wait for its window (or
# for the tray icon), let it settle (SETTLE seconds, default 10), then over
# an idle window of WINDOW seconds (default 60) measure RSS (VmRSS at the
# end, VmHWM), CPU (utime+stime) and wake-ups (context switches of all
# threads). For Lull, trayprobe measures the tree the same way hidden, then
# clicks the tray's "Open Lull" TRIES times (default 10; the first window
# also stays open for an idle window: the tree shown), timing the click to
# the window being viewable, ends the window each time, and reads the tree
# again BACK seconds (default 60) after the last window closed.
#
# Targets (issue 14): hidden, RSS <= 0.2x the bare Fyne window and idle CPU
# <= 0.05x it; Open Lull -> window drawn <= 1 s (median); back to the
# resident's size within 60 s of closing; shown <= 1.25x the bare window.
#
# Without DISPLAY it re-runs itself inside `dbus-run-session` and starts its
# own Xvfb on a free display (no window manager, no notification server).
# Installs missing Debian packages (build packages, xvfb, x11-utils, dbus).
# Set FOOTPRINT_TSV=FILE to also get the figures as tab-separated lines
# (bench/all.sh does). LULL_BIN and LULL_WINDOW_BIN override the binaries.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd -P)
. scripts/deps.sh

SETTLE=${SETTLE:-10}
WINDOW=${WINDOW:-60}
TRIES=${TRIES:-10}
BACK=${BACK:-60}

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
		CGO_ENABLED=0 go build -o "$BIN/lull" ./cmd/lull || die "go build ./cmd/lull failed"
	fi
	if [ -n "${LULL_WINDOW_BIN:-}" ]; then
		cp "$LULL_WINDOW_BIN" "$BIN/lull-window"
	else
		go build -o "$BIN/lull-window" ./cmd/lull-window || die "go build ./cmd/lull-window failed"
	fi
	go build -o "$BIN/minimal" ./bench/minimal || die "go build ./bench/minimal failed"
	CGO_ENABLED=0 go build -o "$BIN/minimaltray" ./bench/minimaltray || die "go build ./bench/minimaltray failed"
	CGO_ENABLED=0 go build -o "$BIN/trayprobe" ./bench/trayprobe || die "go build ./bench/trayprobe failed"
	echo "built lull, lull-window and the references in $((SECONDS - t)) s" >&2
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
probe_pid=
cleanup() {
	[ -n "$app_pid" ] && kill -TERM "$app_pid" 2>/dev/null && wait "$app_pid" 2>/dev/null
	[ -n "$probe_pid" ] && kill -TERM "$probe_pid" 2>/dev/null && wait "$probe_pid" 2>/dev/null
	[ -n "$xvfb_pid" ] && kill -TERM "$xvfb_pid" 2>/dev/null && wait "$xvfb_pid" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

if [ -z "${DISPLAY:-}" ]; then
	start_xvfb "$TMP/xvfb.log"
	xvfb_pid=$XVFB_PID
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
			# A tray icon: no window; ready once it runs for a second.
			[ "$i" -ge 10 ] && break
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

echo "footprint: display $DISPLAY, settle ${SETTLE} s, idle window ${WINDOW} s, $TRIES tries, $(nproc) cores" >&2
# The references first, then Lull: same display, same session.
min=$(measure minimal "Fyne minimal" "$BIN/minimal")
"$BIN/trayprobe" watch >"$TMP/probe.log" 2>&1 &
probe_pid=$!
tray=$(measure minimaltray - "$BIN/minimaltray")
kill -TERM "$probe_pid" 2>/dev/null
wait "$probe_pid" 2>/dev/null || true
probe_pid=

home=$TMP/lull
mkdir -p "$home/home" "$home/data" "$home/run"
chmod 700 "$home/run"
HOME=$home/home XDG_CONFIG_HOME=$home/home/.config XDG_DATA_HOME=$home/home/.local/share \
	XDG_CACHE_HOME=$home/home/.cache XDG_RUNTIME_DIR=$home/run LULL_HOME=$home/data \
	LULL_WINDOW_BIN=$BIN/lull-window \
	"$BIN/trayprobe" resident -lull "$BIN/lull" -settle "${SETTLE}s" -idle "${WINDOW}s" \
	-tries "$TRIES" -back "${BACK}s" >"$TMP/lull.tsv" 2>"$TMP/lull.log" ||
	die "measuring Lull failed; its output:"$'\n'"$(applog lull)"
fig() { awk -v k="$1" '$1 == k { print $2 }' "$TMP/lull.tsv"; }

read -r _ m_rss m_hwm m_cpu m_wk m_th m_cs <<<"$min"
read -r _ t_rss t_hwm t_cpu t_wk t_th t_cs <<<"$tray"
h_rss=$(fig idle_rss_kb) h_cs=$(fig idle_cpu_s) h_wk=$(fig idle_switches_per_s)
s_rss=$(fig shown_rss_kb) s_cs=$(fig shown_cpu_s) s_wk=$(fig shown_switches_per_s)
open_med=$(fig open_median_ms) b_rss=$(fig back_rss_kb)
awk -v mr="$m_rss" -v mc="$m_cs" -v mw="$m_wk" -v tr="$t_rss" -v tc="$t_cs" -v tw="$t_wk" \
	-v hr="$h_rss" -v hc="$h_cs" -v hw="$h_wk" -v sr="$s_rss" -v sc="$s_cs" -v sw="$s_wk" \
	-v om="$open_med" -v br="$b_rss" -v win="$WINDOW" -v back="$BACK" 'function ratio(a, b) {
		return b > 0 ? sprintf("%.2fx", a / b) : "n/a"
	}
	BEGIN {
		printf "%-26s %12s %12s %12s %12s %12s %12s\n", "", "Lull hidden", "Lull shown", "bare Fyne", "bare tray", "hidden/Fyne", "shown/Fyne"
		printf "%-26s %12.1f %12.1f %12.1f %12.1f %12s %12s\n", "RSS of the tree (MB)", hr / 1024, sr / 1024, mr / 1024, tr / 1024, ratio(hr, mr), ratio(sr, mr)
		printf "%-26s %12.2f %12.2f %12.2f %12.2f %12s %12s\n", "CPU s over " win " s idle", hc, sc, mc, tc, ratio(hc, mc), ratio(sc, mc)
		printf "%-26s %12.1f %12.1f %12.1f %12.1f %12s %12s\n", "wakeups (switches/s)", hw, sw, mw, tw, ratio(hw, mw), ratio(sw, mw)
		printf "Open Lull from the tray -> window viewable: median %.0f ms\n", om
		printf "tree %d s after the window closed: %.1f MB (hidden before: %.1f MB)\n", back, br / 1024, hr / 1024
	}'
grep '^open_ms_' "$TMP/lull.tsv" | awk '{ printf "%s%s", (NR > 1 ? ", " : "    tries (ms): "), $2 } END { print "" }'
if [ -n "${FOOTPRINT_TSV:-}" ]; then
	{
		printf 'name\trss_kb\thwm_kb\tcpu_pct\twakeups_per_s\tthreads\tcpu_s\n'
		tr ' ' '\t' <<<"$min"
		tr ' ' '\t' <<<"$tray"
		printf 'lull-hidden\t%s\t\t\t%s\t\t%s\n' "$h_rss" "$h_wk" "$h_cs"
		printf 'lull-shown\t%s\t\t\t%s\t\t%s\n' "$s_rss" "$s_wk" "$s_cs"
		printf 'open_median_ms\t%s\n' "$open_med"
		printf 'back_rss_kb\t%s\n' "$b_rss"
	} >"$FOOTPRINT_TSV"
fi
