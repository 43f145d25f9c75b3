#!/usr/bin/env bash
# bench/all.sh: every benchmark in one run, written up as BENCHMARKS.md.
#
#   bash bench/all.sh            (or: make bench)
#   bash bench/all.sh footprint  only bench/footprint.sh; replaces only the
#                                footprint rows and section of BENCHMARKS.md
#
# Runs, one after the other on the same machine:
#   bench/footprint.sh   the resident's process tree hidden and shown, tray
#                        "Open Lull" to a drawn window, the tree after the
#                        window closed, beside a bare Fyne window and a bare
#                        tray icon (issue 14's targets)
#   bench/calendar.sh    `lull calendar expand` vs the Python reference and ical.js
#                        (needs ../shared; skipped with a note without it)
#   bench/intake.sh      notifications/s and latency over the local API
#   bench/flood.sh       20,000 notifications with the window open, then SIGTERM
#   go test -bench       calendar (expand, plan), focus (weekly report), notify (intake)
# and writes BENCHMARKS.md (override with BENCH_OUT=FILE): each figure beside
# its target and the reference it is compared with, the ratios from this run,
# and the machine. Raw outputs go to BENCH_LOGS (default test-artifacts/bench/).
# Exits non-zero if a benchmark could not run; a missed target is reported
# in the page (and in the summary printed last), not as a failure.
#
# With the argument footprint, the page must exist: its Summary rows that
# start with "Footprint" and the part between the footprint markers (HTML
# comments) are replaced, everything else (other figures, hand-written
# notes) is kept as it was; the footprint section says when it was measured.
# BENCH_FROM_LOGS=1 bash bench/all.sh footprint runs nothing: it rewrites
# those parts from the outputs of the last run in BENCH_LOGS (footprint.tsv,
# footprint.log and footprint.run: when, at which commit, the load average).
#
# Set-up it does by itself (as root or via sudo): the Debian packages the
# scripts need (build packages, xvfb, python3-dateutil, python3-icalendar,
# python3-recurring-ical-events, GNU time) and, for calendar.sh, ical.js and
# node-ical in $ORACLE_NODE_DIR (default /tmp/oracle-node) through npm, as
# ../shared/oracle/README.md describes. GO_BENCHTIME (default 3s) is passed
# to go test -benchtime.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd -P)
. scripts/deps.sh

only=
case "${1:-}" in
"") ;;
footprint) only=footprint ;;
*) die "usage: bash bench/all.sh [footprint] (unknown section \"$1\")" ;;
esac

from_logs=${BENCH_FROM_LOGS:-}
[ -z "$from_logs" ] || [ -n "$only" ] || die "BENCH_FROM_LOGS=1 needs a section: bash bench/all.sh footprint"
OUT=${BENCH_OUT:-BENCHMARKS.md}
[ -z "$only" ] || [ -f "$OUT" ] || die "$OUT does not exist: run bash bench/all.sh in full first"
LOGS=${BENCH_LOGS:-test-artifacts/bench}
SHARED=${SHARED:-../shared}
export ORACLE_NODE_DIR=${ORACLE_NODE_DIR:-/tmp/oracle-node}
GO_BENCHTIME=${GO_BENCHTIME:-3s}
mkdir -p "$LOGS"
if [ -n "$from_logs" ]; then
	[ -f "$LOGS/$only.tsv" ] || die "$LOGS/$only.tsv does not exist: nothing to write the page from"
elif [ -n "$only" ]; then
	rm -f "$LOGS/$only".log "$LOGS/$only".tsv "$LOGS/$only".run
else
	rm -f "$LOGS"/*.log "$LOGS"/*.tsv
fi

t_all=$SECONDS
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
step "Set-up"
require_go
if [ -z "$only" ] && [ -z "$from_logs" ]; then
	# shellcheck disable=SC2086
	ensure_packages $BUILD_PACKAGES $SESSION_PACKAGES time python3-dateutil \
		python3-icalendar python3-recurring-ical-events
fi
set_locale force
export CGO_ENABLED=1
calendar_skip=
if [ -n "$only" ]; then
	calendar_skip="not part of this run"
elif [ ! -f "$SHARED/bench/gen_synthetic.py" ]; then
	calendar_skip="$SHARED (generator and reference expanders) is not there"
elif [ ! -f "$ORACLE_NODE_DIR/node_modules/ical.js/package.json" ]; then
	if command -v npm >/dev/null 2>&1; then
		mkdir -p "$ORACLE_NODE_DIR"
		(cd "$ORACLE_NODE_DIR" && npm install --no-audit --no-fund ical.js@2.2.1 node-ical@0.26.1) ||
			calendar_skip="npm install ical.js failed"
	else
		calendar_skip="node/npm not installed (needed for the ical.js reference)"
	fi
fi
BIN=$(mktemp -d "${TMPDIR:-/tmp}/lull-bench.XXXXXX")
trap 'rm -rf "$BIN"' EXIT
if [ -z "$from_logs" ]; then
	# lull (the command line and the resident) is pure Go, as it ships; the
	# window is the Fyne (cgo) program beside it.
	CGO_ENABLED=0 go build -o "$BIN/lull" ./cmd/lull || die "go build ./cmd/lull failed"
	go build -o "$BIN/lull-window" ./cmd/lull-window || die "go build ./cmd/lull-window failed"
	export LULL_BIN=$BIN/lull LULL_WINDOW_BIN=$BIN/lull-window
fi
commit=$(git rev-parse --short HEAD 2>/dev/null)
git diff --quiet HEAD 2>/dev/null || commit="$commit (working tree had uncommitted changes)"

errors=()
declare -A secs
# bench NAME CMD...: runs CMD, output to the terminal and $LOGS/NAME.log.
bench() {
	local name=$1 t=$SECONDS rc
	shift
	step "$name: $*"
	"$@" 2>&1 | tee "$LOGS/$name.log"
	rc=${PIPESTATUS[0]}
	secs[$name]=$((SECONDS - t))
	echo "    ($name: ${secs[$name]} s, exit $rc)"
	return "$rc"
}

# footprint.run: when and where the footprint figures were measured, for
# the page (also when it is written later, from the logs).
if [ -z "$from_logs" ]; then
	fp_load_start=$(cut -d' ' -f1-3 /proc/loadavg)
	FOOTPRINT_TSV=$ROOT/$LOGS/footprint.tsv bench footprint bash bench/footprint.sh ||
		errors+=("bench/footprint.sh failed (see $LOGS/footprint.log)")
	printf 'date\t%s\ncommit\t%s\nload_start\t%s\nload_end\t%s\nsecs\t%s\n' \
		"$(date -u '+%Y-%m-%d %H:%M UTC')" "$commit" "$fp_load_start" \
		"$(cut -d' ' -f1-3 /proc/loadavg)" "${secs[footprint]}" >"$LOGS/footprint.run"
fi
# runinfo KEY: a line of footprint.run
runinfo() { awk -F'\t' -v k="$1" '$1 == k { print $2 }' "$LOGS/footprint.run" 2>/dev/null; }

calendar_rc=
if [ -n "$only" ]; then
	:
elif [ -z "$calendar_skip" ]; then
	SHARED=$SHARED bench calendar sh bench/calendar.sh
	calendar_rc=$?
	# calendar.sh exits 1 for a missed target or differing output (reported
	# below), 2 for missing prerequisites.
	[ "$calendar_rc" -le 1 ] || errors+=("bench/calendar.sh could not run (see $LOGS/calendar.log)")
else
	echo "calendar: skipped: $calendar_skip" | tee "$LOGS/calendar.log"
fi

if [ -z "$only" ]; then
	bench intake sh bench/intake.sh || errors+=("bench/intake.sh failed (see $LOGS/intake.log)")

	bench flood bash bench/flood.sh || errors+=("bench/flood.sh failed (see $LOGS/flood.log)")

	bench gobench go test -run '^$' -bench . -benchmem -benchtime "$GO_BENCHTIME" -count 1 \
		./calendar/ ./calendar/ics/ ./focus/ ./notify/ || errors+=("go test -bench failed (see $LOGS/gobench.log)")
fi

# --- figures ---------------------------------------------------------------------

# fp NAME FIELD: a column of footprint.tsv
fp() {
	awk -F'\t' -v n="$1" -v f="$2" 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
		$1 == n { print $col[f] }' "$LOGS/footprint.tsv" 2>/dev/null
}
# gb NAME UNIT: the value before UNIT on the go test line of benchmark NAME
gb() {
	awk -v n="$1" -v u="$2" '$1 ~ "^" n "(-[0-9]+)?$" { for (i = 2; i <= NF; i++) if ($i == u) { print $(i - 1); exit } }' \
		"$LOGS/gobench.log" 2>/dev/null
}
# calc 'FORMAT, EXPR' [A [B]]: awk printf; EXPR may use a and b for A and B.
calc() {
	local e=$1
	shift
	awk -v a="${1:-0}" -v b="${2:-0}" "BEGIN { printf $e }" 2>/dev/null
}
# verdict OK_EXPR: "met" or "**missed**" (awk expression over numbers)
verdict() { awk "BEGIN { exit !($1) }" 2>/dev/null && echo met || echo "**missed**"; }


# calendar.sh: "lull: N occurrences, best of 5: X s, Y MB peak RSS" per program
cal() { # cal PROGRAM FIELD(occ|secs|mb)
	awk -v p="$1:" -v f="$2" '$1 == p && /occurrences/ {
		occ = $2; secs = $(NF - 5); mb = $(NF - 3)
		print (f == "occ" ? occ : f == "secs" ? secs : mb); exit }' "$LOGS/calendar.log" 2>/dev/null
}
c_l=$(cal lull secs) c_j=$(cal icaljs secs) c_p=$(cal python secs)
c_mb=$(cal lull mb) c_occ=$(cal lull occ)
same_j=$(grep -c '^output identical to icaljs' "$LOGS/calendar.log" 2>/dev/null)
same_p=$(grep -c '^output identical to python' "$LOGS/calendar.log" 2>/dev/null)

i_tp=$(awk '/^throughput:/ { print $2 }' "$LOGS/intake.log" 2>/dev/null)
i_p50=$(awk '/^latency:/ { print $3 }' "$LOGS/intake.log" 2>/dev/null)
i_p99=$(awk '/^latency:/ { print $6 }' "$LOGS/intake.log" 2>/dev/null)
i_hdr=$(grep -m1 '^intake:' "$LOGS/intake.log" 2>/dev/null)

g_exp=$(gb BenchmarkExpandYear ns/op)
g_exp_mb=$(gb BenchmarkExpandYear B/op)
g_plan=$(gb BenchmarkPlan ns/op)
g_planw=$(gb BenchmarkPlanWindow ns/op)
g_plan_busy=$(gb BenchmarkPlan busy-intervals)
g_rep=$(gb BenchmarkWeeklyReport ns/op)
g_rep_sess=$(gb BenchmarkWeeklyReport sessions)
g_int=$(gb BenchmarkIntake notifications/s)

na() { [ -n "$1" ] && echo "$1" || echo "n/a"; }
ms() { [ -n "$1" ] && calc "\"%.2f\", $1 / 1e6" || echo "n/a"; }
have() { for v in "$@"; do [ -n "$v" ] || return 1; done; }

summary=()
row() { summary+=("$1: $2"); }

# --- BENCHMARKS.md ---------------------------------------------------------------------
cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
os=$( (. /etc/os-release && echo "$PRETTY_NAME") 2>/dev/null)
# footprint.tsv (bench/footprint.sh): per program "name rss_kb hwm_kb cpu_pct
# wakeups_per_s threads cpu_s" for minimal (the bare Fyne window) and
# minimaltray (the bare tray icon); lull-hidden and lull-shown (the resident's
# whole process tree) fill rss_kb, wakeups_per_s and cpu_s; open_median_ms and
# back_rss_kb carry one figure each.
m_rss=$(fp minimal rss_kb) m_hwm=$(fp minimal hwm_kb) m_cs=$(fp minimal cpu_s)
m_wk=$(fp minimal wakeups_per_s) m_th=$(fp minimal threads)
t_rss=$(fp minimaltray rss_kb) t_hwm=$(fp minimaltray hwm_kb) t_cs=$(fp minimaltray cpu_s)
t_wk=$(fp minimaltray wakeups_per_s) t_th=$(fp minimaltray threads)
h_rss=$(fp lull-hidden rss_kb) h_cs=$(fp lull-hidden cpu_s) h_wk=$(fp lull-hidden wakeups_per_s)
s_rss=$(fp lull-shown rss_kb) s_cs=$(fp lull-shown cpu_s) s_wk=$(fp lull-shown wakeups_per_s)
open_med=$(fp open_median_ms rss_kb) b_rss=$(fp back_rss_kb rss_kb)
open_tries=$(sed -n 's/^ *tries (ms): //p' "$LOGS/footprint.log" 2>/dev/null | tail -n 1)
# What footprint.sh ran with (its defaults unless set for this run).
fp_settle=${SETTLE:-10} fp_window=${WINDOW:-60} fp_tries=${TRIES:-10} fp_back=${BACK:-60}

# Issue 14's footprint targets.
# FP_HIDDEN_RSS: hidden in the tray, the resident's whole tree costs at most
# this share of a bare Fyne window's RSS (a tray icon's cost, not a window's).
FP_HIDDEN_RSS=0.2
# FP_HIDDEN_CPU: hidden, its CPU over the idle minute is at most this share
# of the bare Fyne window's.
FP_HIDDEN_CPU=0.05
# FP_OPEN_MS: tray "Open Lull" to the window drawn, median of the tries.
FP_OPEN_MS=1000
# FP_BACK_S: within this many seconds of the window closing the tree is back
# to the resident's size, which FP_BACK_SLACK defines: at most this many times
# the tree's RSS hidden before the first window (the window process is gone;
# the resident's Go heap may keep a little of having served it).
FP_BACK_S=60
FP_BACK_SLACK=1.10
# FP_SHOWN: with the window shown, the tree's RSS and idle CPU are at most
# this many times the bare Fyne window's (issue 2's target, kept).
FP_SHOWN=1.25

mb() { [ -n "$1" ] && calc '"%.1f", a / 1024' "$1" || echo "n/a"; }
# rat A B: A ÷ B with two decimals and "×", or n/a (B zero or missing)
rat() { awk -v a="$1" -v b="$2" 'BEGIN { if (a != "" && b > 0) printf "%.2f×", a / b; else printf "n/a" }'; }
# pct CPU_S: CPU seconds over the idle window as % of one core
pct() { [ -n "$1" ] && calc '"%.2f", 100 * a / b' "$1" "$fp_window" || echo "n/a"; }

fp_ok=
if have "$m_rss" "$m_cs" "$h_rss" "$h_cs" "$s_rss" "$s_cs" "$open_med" "$b_rss"; then
	fp_ok=1
	v_hr=$(verdict "$h_rss <= $FP_HIDDEN_RSS * $m_rss")
	v_hc=$(verdict "$h_cs <= $FP_HIDDEN_CPU * $m_cs")
	v_open=$(verdict "$open_med <= $FP_OPEN_MS")
	v_back=$(verdict "$b_rss <= $FP_BACK_SLACK * $h_rss && $fp_back <= $FP_BACK_S")
	v_sr=$(verdict "$s_rss <= $FP_SHOWN * $m_rss")
	v_sc=$(verdict "$s_cs <= $FP_SHOWN * $m_cs")
fi

# fp_summary: the footprint rows of the Summary table (each starts with
# "Footprint": bench/all.sh footprint replaces the rows that do).
fp_summary() {
	if [ -z "$fp_ok" ]; then
		echo "| Footprint (bench/footprint.sh) | n/a | issue 14's targets | | | not measured (see $LOGS/footprint.log) |"
		return
	fi
	echo "| Footprint, hidden in the tray: RSS of the resident's whole process tree | $(mb "$h_rss") MB | ≤ $FP_HIDDEN_RSS× a bare Fyne window (issue 14) | bare Fyne window: $(mb "$m_rss") MB; bare tray icon: $(mb "$t_rss") MB | $(rat "$h_rss" "$m_rss") | $v_hr |"
	echo "| Footprint, hidden: CPU over a ${fp_window} s idle minute | $h_cs s ($(pct "$h_cs") % of a core) | ≤ $FP_HIDDEN_CPU× a bare Fyne window | bare Fyne window: $m_cs s; bare tray icon: $t_cs s | $(rat "$h_cs" "$m_cs") | $v_hc |"
	echo "| Footprint, tray \"Open Lull\" → window drawn, median of $fp_tries | $(calc '"%.0f", a' "$open_med") ms | ≤ $FP_OPEN_MS ms | | $(rat "$open_med" "$FP_OPEN_MS") the target | $v_open |"
	echo "| Footprint, window closed → the tree ${fp_back} s later | $(mb "$b_rss") MB | back to the resident's size (≤ $FP_BACK_SLACK× hidden) within $FP_BACK_S s | hidden before: $(mb "$h_rss") MB | $(rat "$b_rss" "$h_rss") | $v_back |"
	echo "| Footprint, window shown: RSS of the tree | $(mb "$s_rss") MB | ≤ $FP_SHOWN× a bare Fyne window | bare Fyne window: $(mb "$m_rss") MB | $(rat "$s_rss" "$m_rss") | $v_sr |"
	echo "| Footprint, window shown: CPU over a ${fp_window} s idle minute | $s_cs s ($(pct "$s_cs") % of a core) | ≤ $FP_SHOWN× a bare Fyne window | bare Fyne window: $m_cs s | $(rat "$s_cs" "$m_cs") | $v_sc |"
}

# fp_section: the footprint section, between the markers bench/all.sh
# footprint replaces.
fp_section() {
	echo "<!-- footprint: start -->"
	echo "## Footprint: the resident and the window (bench/footprint.sh)"
	echo
	echo "Measured $(na "$(runinfo date)") at commit $(na "$(runinfo commit)"); the script took $(na "$(runinfo secs)") s,"
	echo "building included. Load average (1, 5, 15 min) at start: $(na "$(runinfo load_start)"); at end:"
	echo "$(na "$(runinfo load_end)"). The machine's other work slows and wakes every program measured."
	echo
	echo "Three programs one after the other on one private Xvfb display (no window manager) and D-Bus"
	echo "session, each with fresh data and config directories, built with the same Go and Fyne: a bare"
	echo "Fyne window (\`bench/minimal\`: one label, the size of Lull's window), a bare tray icon on"
	echo "fyne.io/systray (\`bench/minimaltray\`), and Lull. \`bench/trayprobe\` stands in for the desktop"
	echo "panel (it owns org.kde.StatusNotifierWatcher, so tray icons register with it) and measures Lull's"
	echo "resident (\`lull --hidden\`) as its whole process tree, window process included. Hidden: after"
	echo "settling ${fp_settle} s, over an idle minute of ${fp_window} s. Then it clicks the tray's \"Open Lull\" $fp_tries times,"
	echo "timing each click until the window named Lull is viewable (X11 map state, polled every 10 ms),"
	echo "and ends the window process with SIGTERM (what closing it does when there is a tray); the first"
	echo "window stays open to settle and sit through an idle minute of its own (shown), the others 2 s."
	echo "${fp_back} s after the last window ended it reads the tree again (back). RSS is VmRSS summed over"
	echo "the tree at the end of the idle minute, CPU is utime+stime over it, wakeups are the context"
	echo "switches of all threads per second. The references are single processes measured the same way."
	echo "Fyne renders through Mesa's software GL under Xvfb, so the window figures include rendering."
	echo
	if [ -z "$fp_ok" ]; then
		echo "Not measured: see \`$LOGS/footprint.log\`."
	else
		echo "| Target (issue 14) | Measured | Verdict |"
		echo "|---|---|---|"
		echo "| Hidden in the tray: RSS of the whole tree ≤ $FP_HIDDEN_RSS× the bare Fyne window | $(mb "$h_rss") MB against $(mb "$m_rss") MB: $(rat "$h_rss" "$m_rss") | $v_hr |"
		echo "| Hidden: CPU over a ${fp_window} s idle minute ≤ $FP_HIDDEN_CPU× the bare Fyne window's | $h_cs s ($(pct "$h_cs") % of a core) against $m_cs s: $(rat "$h_cs" "$m_cs") | $v_hc |"
		echo "| Tray \"Open Lull\" → window drawn ≤ 1 s, median of $fp_tries tries | $(calc '"%.0f", a' "$open_med") ms (tries, ms: ${open_tries:-n/a}) | $v_open |"
		echo "| Window closed → tree back to the resident's size (≤ $FP_BACK_SLACK× its RSS hidden) within $FP_BACK_S s | $(mb "$b_rss") MB ${fp_back} s after, $(mb "$h_rss") MB hidden before: $(rat "$b_rss" "$h_rss") | $v_back |"
		echo "| Shown: RSS of the tree ≤ $FP_SHOWN× the bare Fyne window | $(mb "$s_rss") MB against $(mb "$m_rss") MB: $(rat "$s_rss" "$m_rss") | $v_sr |"
		echo "| Shown: CPU over a ${fp_window} s idle minute ≤ $FP_SHOWN× the bare Fyne window's | $s_cs s ($(pct "$s_cs") % of a core) against $m_cs s: $(rat "$s_cs" "$m_cs") | $v_sc |"
		echo
		echo "| | Lull hidden (tree) | Lull shown (tree) | bare Fyne window | bare tray icon |"
		echo "|---|---|---|---|---|"
		echo "| RSS, MB | $(mb "$h_rss") | $(mb "$s_rss") | $(mb "$m_rss") | $(mb "$t_rss") |"
		echo "| CPU s over the ${fp_window} s idle minute | $h_cs | $s_cs | $m_cs | $t_cs |"
		echo "| CPU, % of one core | $(pct "$h_cs") | $(pct "$s_cs") | $(pct "$m_cs") | $(pct "$t_cs") |"
		echo "| Wakeups /s | $h_wk | $s_wk | $m_wk | $t_wk |"
		echo "| Peak RSS, MB | | | $(mb "$m_hwm") | $(mb "$t_hwm") |"
		echo "| Threads | | | $m_th | $t_th |"
		echo
		echo "Hidden, Lull's tree beside the bare tray icon alone: RSS $(mb "$h_rss") MB against $(mb "$t_rss") MB"
		echo "($(rat "$h_rss" "$t_rss")), CPU $h_cs s against $t_cs s, wakeups $h_wk /s against $t_wk /s."
	fi
	echo "<!-- footprint: end -->"
}

# splice_footprint PAGE: PAGE with its "Footprint" Summary rows (at the end
# of the Summary table) and its footprint section replaced, the rest as it
# was; fails when PAGE has no Summary table or no footprint markers.
splice_footprint() {
	ROWS=$(fp_summary) SEC=$(fp_section) awk '
		/^## Summary/ { insum = 1 }
		/^\| Footprint/ { next }
		insum && /^\|/ { seen = 1 }
		insum && seen && !/^\|/ { print ENVIRON["ROWS"]; rows = 1; insum = 0 }
		$0 == "<!-- footprint: start -->" { print ENVIRON["SEC"]; skip = 1; sec = 1; next }
		skip { if ($0 == "<!-- footprint: end -->") skip = 0; next }
		{ print }
		END { if (!rows || !sec || skip) exit 3 }' "$1"
}

full_page() {
	echo "# Lull — measured performance"
	echo
	echo "Written by \`make bench\` (bench/all.sh) from one run: every ratio below compares two"
	echo "programs measured minutes apart on the same machine, never figures from different days."
	echo "Re-run it to refresh this page; raw outputs of the run go to \`$LOGS/\`. \`bash bench/all.sh"
	echo "footprint\` refreshes only the footprint rows and section, which then say when they were measured."
	echo
	echo "## Machine"
	echo
	echo "| | |"
	echo "|---|---|"
	echo "| Date | $(date -u '+%Y-%m-%d %H:%M UTC') |"
	echo "| CPU | $cpu, $(nproc) cores |"
	echo "| RAM | $mem |"
	echo "| OS, kernel | $os, Linux $(uname -r) |"
	echo "| Go | $(go version | awk '{ print $3 " " $4 }') |"
	echo "| Lull commit | $commit |"
	echo "| Whole run | $((SECONDS - t_all)) s |"
	echo "| Load average (1, 5, 15 min) | at start: $load_start; at end: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine slows every figure, Lull's and the references' alike) |"
	echo

	echo "## Summary"
	echo
	echo "| What | Measured | Target | Compared with | Ratio | Verdict |"
	echo "|---|---|---|---|---|---|"
	if have "$c_l" "$c_p" "$c_j"; then
		l=$(awk -v l="$c_l" 'BEGIN { print (l <= 0 ? 0.01 : l) }')
		rp=$(calc "\"%.0f\", $c_p / $l") rj=$(calc "\"%.1f\", $c_j / $l")
		vp=$(verdict "$c_p / $l >= 100") vj=$(verdict "$c_j / $l >= 10")
		echo "| Calendar expand, 2023 of the 20,000-event synthetic calendar ($c_occ occurrences) | $c_l s | ≥ 100× faster than the Python reference | recurring-ical-events (Python): $c_p s | ${rp}× | $vp |"
		echo "| ″ | ″ | ≥ 10× faster than ical.js (the issue's minimum: faster) | ical.js: $c_j s | ${rj}× | $vj |"
		echo "| Calendar expand, peak RSS | $c_mb MB | ≤ 60 MB | | | $(verdict "$c_mb <= 60") |"
		row "calendar expand" "lull $c_l s, ${rp}x faster than python ($vp), ${rj}x faster than ical.js ($vj)"
	else
		echo "| Calendar expand | n/a | ≥ 100× Python, faster than ical.js | | | not run: ${calendar_skip:-see calendar log} |"
		row "calendar expand" "not run ${calendar_skip:+($calendar_skip)}"
	fi
	if have "$g_plan"; then
		v=$(verdict "$g_plan / 1e6 <= 50")
		echo "| Plan 14 days over a 5-year busy calendar ($(na "$g_plan_busy") busy intervals), Go benchmark | $(ms "$g_plan") ms | ≤ 50 ms | | $(calc '"%.0f", 50e6 / a' "$g_plan")× under target | $v |"
		row "plan" "$(ms "$g_plan") ms (target 50 ms: $v)"
	fi
	if have "$g_planw"; then
		echo "| Plan 14 days, only the window's busy intervals, Go benchmark | $(ms "$g_planw") ms | ≤ 50 ms | | $(calc '"%.0f", 50e6 / a' "$g_planw")× under target | $(verdict "$g_planw / 1e6 <= 50") |"
	fi
	if have "$g_rep"; then
		v=$(verdict "$g_rep / 1e6 <= 10")
		echo "| Weekly report over 5 years of history ($(na "$g_rep_sess") sessions), Go benchmark | $(ms "$g_rep") ms | ≤ 10 ms | | $(calc '"%.0f", 10e6 / a' "$g_rep")× under target | $v |"
		row "weekly report" "$(ms "$g_rep") ms (target 10 ms: $v)"
	fi
	if have "$i_tp" "$i_p99"; then
		v=$(verdict "$i_tp >= 5000 && $i_p99 <= 20")
		echo "| Notification intake over the local API, fsync on (bench/intake.sh) | $i_tp /s, p50 $i_p50 ms, p99 $i_p99 ms | ≥ 5,000 /s, p99 ≤ 20 ms | | $(calc '"%.1f", a / 5000' "$i_tp")× the target rate | $v |"
		row "intake" "$i_tp/s, p99 $i_p99 ms (target 5000/s, 20 ms: $v)"
	fi
	if have "$g_int"; then
		echo "| Notification intake through the API handler in-process (Go benchmark) | $(calc '"%.0f", a' "$g_int") /s | ≥ 5,000 /s | | $(calc '"%.1f", a / 5000' "$g_int")× the target rate | $(verdict "$g_int >= 5000") |"
	fi
	fp_summary
	echo
	echo "Targets come from the issues (calendar: issue 3; intake: issue 5; footprint: issue 14, each"
	echo "target in the footprint section). \"Ratio\" is reference ÷ Lull"
	echo "for speed, Lull ÷ reference for footprint, and target ÷ measured (or measured ÷ target for rates)"
	echo "where there is no reference program."
	echo

	echo "## Calendar expansion (bench/calendar.sh)"
	echo
	if [ -n "$calendar_skip" ]; then
		echo "Not run: $calendar_skip."
	else
		echo "The same file and range through three programs, each a fresh process timed with GNU time"
		echo "(10 ms resolution); Lull best of 5, ical.js best of 3, Python once. Outputs compared line by line:"
		echo "identical to ical.js: $([ "${same_j:-0}" -ge 1 ] && echo yes || echo **no**);" \
			"identical to the Python reference: $([ "${same_p:-0}" -ge 1 ] && echo yes || echo **no**)."
		echo
		echo "| Program | Wall time | Lull is … faster |"
		echo "|---|---|---|"
		if have "$c_l" "$c_p" "$c_j"; then
			echo "| \`lull calendar expand\` | $c_l s ($c_mb MB peak RSS) | |"
			echo "| ical.js 2.2.1 (node) | $c_j s | $(calc '"%.1f", a / b' "$c_j" "$l")× |"
			echo "| recurring-ical-events (Python) | $c_p s | $(calc '"%.0f", a / b' "$c_p" "$l")× |"
		fi
		if have "$g_exp"; then
			echo
			echo "In-process (Go benchmark BenchmarkExpandYear: parse + expand + format, no process start):"
			echo "$(ms "$g_exp") ms per run, $(calc '"%.1f", a / 1048576' "${g_exp_mb:-0}") MB allocated per run."
		fi
	fi
	echo

	fp_section
	echo

	echo "## Notification intake (bench/intake.sh)"
	echo
	echo "${i_hdr:-intake: n/a}; a stand-in server with Lull's notify service on a real bbolt file."
	echo
	echo '```'
	grep -E '^(notifications|throughput|latency):' "$LOGS/intake.log" 2>/dev/null
	echo '```'
	echo

	echo "## Notification flood, window open (bench/flood.sh)"
	echo
	echo "10,000 notifications delivered in one digest and 10,000 held while the Digest tab is open, on the"
	echo "real binary (e2e TestFloodThenQuit), commands run during the flood, then SIGTERM (target: exit"
	echo "within 2 s; before the fix 2,000 items took 268 s and 4,000 never exited); and one refresh of the"
	echo "Digest tab over those 20,000 in-process, with the part that runs on the UI goroutine:"
	echo
	echo '```'
	grep -E '^(flood:|Benchmark)' "$LOGS/flood.log" 2>/dev/null
	echo '```'
	echo

	echo "## Go benchmarks"
	echo
	echo "\`go test -run '^\$' -bench . -benchmem -benchtime $GO_BENCHTIME ./calendar/ ./calendar/ics/ ./focus/ ./notify/\`:"
	echo
	echo '```'
	grep -E '^(Benchmark|goos|goarch|cpu|ok|FAIL|---)' "$LOGS/gobench.log" 2>/dev/null
	echo '```'
	echo

	echo "## Time each script took in this run"
	echo
	echo "| Script | Seconds |"
	echo "|---|---|"
	echo "| bench/calendar.sh | ${secs[calendar]:-skipped} |"
	echo "| bench/intake.sh | ${secs[intake]:-n/a} |"
	echo "| bench/flood.sh | ${secs[flood]:-n/a} |"
	echo "| go test -bench | ${secs[gobench]:-n/a} |"
	if [ ${#errors[@]} -gt 0 ]; then
		echo
		echo "## Problems in this run"
		echo
		printf -- '- %s\n' "${errors[@]}"
	fi
}

if [ -n "$fp_ok" ]; then
	r="hidden $(mb "$h_rss") MB, $h_cs s CPU vs bare Fyne $(mb "$m_rss") MB, $m_cs s ($v_hr, $v_hc);"
	r+=" open $(calc '"%.0f", a' "$open_med") ms ($v_open); back $(mb "$b_rss") MB ($v_back);"
	r+=" shown $(rat "$s_rss" "$m_rss") RSS ($v_sr), $(rat "$s_cs" "$m_cs") CPU ($v_sc)"
	row "footprint" "$r"
else
	row "footprint" "not measured"
fi
if [ -n "$only" ]; then
	splice_footprint "$OUT" >"$BIN/page.md" ||
		die "$OUT has no Summary table or no footprint markers: run bash bench/all.sh in full"
	cat "$BIN/page.md" >"$OUT"
else
	full_page >"$OUT"
fi

step "Summary (written to $OUT in $((SECONDS - t_all)) s)"
printf '%s\n' "${summary[@]}"
if [ ${#errors[@]} -gt 0 ]; then
	printf '%s\n' "${errors[@]}" >&2
	exit 1
fi
