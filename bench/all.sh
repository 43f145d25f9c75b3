#!/usr/bin/env bash
# bench/all.sh: every benchmark in one run, written up as BENCHMARKS.md.
#
#   bash bench/all.sh          (or: make bench)
#
# Runs, one after the other on the same machine:
#   bench/footprint.sh   idle RSS / CPU / wakeups of Lull vs a minimal Fyne window
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

OUT=${BENCH_OUT:-BENCHMARKS.md}
LOGS=${BENCH_LOGS:-test-artifacts/bench}
SHARED=${SHARED:-../shared}
export ORACLE_NODE_DIR=${ORACLE_NODE_DIR:-/tmp/oracle-node}
GO_BENCHTIME=${GO_BENCHTIME:-3s}
mkdir -p "$LOGS"
rm -f "$LOGS"/*.log "$LOGS"/*.tsv

t_all=$SECONDS
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
step "Set-up"
require_go
# shellcheck disable=SC2086
ensure_packages $BUILD_PACKAGES $SESSION_PACKAGES time python3-dateutil \
	python3-icalendar python3-recurring-ical-events
set_locale force
export CGO_ENABLED=1
calendar_skip=
if [ ! -f "$SHARED/bench/gen_synthetic.py" ]; then
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
go build -o "$BIN/lull" ./cmd/lull || die "go build ./cmd/lull failed"
export LULL_BIN=$BIN/lull

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

FOOTPRINT_TSV=$ROOT/$LOGS/footprint.tsv bench footprint bash bench/footprint.sh ||
	errors+=("bench/footprint.sh failed (see $LOGS/footprint.log)")

calendar_rc=
if [ -z "$calendar_skip" ]; then
	SHARED=$SHARED bench calendar sh bench/calendar.sh
	calendar_rc=$?
	# calendar.sh exits 1 for a missed target or differing output (reported
	# below), 2 for missing prerequisites.
	[ "$calendar_rc" -le 1 ] || errors+=("bench/calendar.sh could not run (see $LOGS/calendar.log)")
else
	echo "calendar: skipped: $calendar_skip" | tee "$LOGS/calendar.log"
fi

bench intake sh bench/intake.sh || errors+=("bench/intake.sh failed (see $LOGS/intake.log)")

bench flood bash bench/flood.sh || errors+=("bench/flood.sh failed (see $LOGS/flood.log)")

bench gobench go test -run '^$' -bench . -benchmem -benchtime "$GO_BENCHTIME" -count 1 \
	./calendar/ ./calendar/ics/ ./focus/ ./notify/ || errors+=("go test -bench failed (see $LOGS/gobench.log)")

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

m_rss=$(fp minimal rss_kb) l_rss=$(fp lull rss_kb)
m_cpu=$(fp minimal cpu_pct) l_cpu=$(fp lull cpu_pct)
m_wk=$(fp minimal wakeups_per_s) l_wk=$(fp lull wakeups_per_s)
m_hwm=$(fp minimal hwm_kb) l_hwm=$(fp lull hwm_kb)
h_rss=$(fp lull-hidden rss_kb) h_cpu=$(fp lull-hidden cpu_pct) h_wk=$(fp lull-hidden wakeups_per_s)
m_cs=$(fp minimal cpu_s) l_cs=$(fp lull cpu_s) h_cs=$(fp lull-hidden cpu_s)
m_th=$(fp minimal threads) l_th=$(fp lull threads)

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
commit=$(git rev-parse --short HEAD 2>/dev/null)
git diff --quiet HEAD 2>/dev/null || commit="$commit (working tree had uncommitted changes)"
{
	echo "# Lull — measured performance"
	echo
	echo "Written by \`make bench\` (bench/all.sh) from one run: every ratio below compares two"
	echo "programs measured minutes apart on the same machine, never figures from different days."
	echo "Re-run it to refresh this page; raw outputs of the run go to \`$LOGS/\`."
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
	if have "$l_rss" "$m_rss" "$l_cpu" "$m_cpu"; then
		vr=$(verdict "$l_rss / $m_rss <= 1.25")
		vc=$(verdict "$l_cpu <= 1.25 * $m_cpu")
		echo "| Idle RSS, window shown | $(calc '"%.1f", a / 1024' "$l_rss") MB | ≤ 1.25× a bare Fyne window (issue 2); TESTING.md: ~150 MB | minimal Fyne window: $(calc '"%.1f", a / 1024' "$m_rss") MB | $(calc '"%.2f", a / b' "$l_rss" "$m_rss")× | $vr |"
		echo "| Idle CPU, window shown | $l_cpu % of one core | ≤ 1.25× a bare Fyne window (issue 2); TESTING.md: ~1.5 % | minimal Fyne window: $m_cpu % | $(awk -v a="$l_cpu" -v b="$m_cpu" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "n/a" }')× | $vc |"
		if have "$h_cpu" "$h_rss"; then
			vh=$(verdict "$h_cpu < 0.5 * $l_cpu")
			echo "| Idle CPU, hidden to the tray (\`lull --hidden\`) | $h_cpu % of one core, $(calc '"%.1f", a / 1024' "$h_rss") MB | well below the shown window | Lull shown: $l_cpu % | $(awk -v a="$h_cpu" -v b="$l_cpu" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "n/a" }')× | $vh |"
		fi
		echo "| Idle wakeups (context switches of all threads) | $l_wk /s | close to a bare Fyne window | minimal Fyne window: $m_wk /s | $(awk -v a="$l_wk" -v b="$m_wk" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "n/a" }')× | |"
		row "footprint" "Lull $(calc '"%.0f", a / 1024' "$l_rss") MB, $l_cpu % CPU vs minimal $(calc '"%.0f", a / 1024' "$m_rss") MB, $m_cpu % (RSS $vr, CPU $vc)"
	else
		echo "| Idle footprint | n/a | close to a bare Fyne window | | | not measured (see footprint log) |"
	fi
	echo
	echo "Targets come from the issues (calendar: issue 3; intake: issue 5; footprint: issue 2's ≤ 1.25×"
	echo "a bare Fyne window, and hidden-to-tray CPU well below the shown window). \"Ratio\" is reference ÷ Lull"
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

	echo "## Idle footprint (bench/footprint.sh)"
	echo
	echo "The minimal window, Lull with its window shown and Lull hidden to the tray (\`lull --hidden\`) run"
	echo "one after the other under a private Xvfb (no window manager), built with the"
	echo "same Go and Fyne, with fresh data and config directories. After the window appears each settles"
	echo "for 10 s, then sits idle for 60 s: CPU is utime+stime over those 60 s, RSS is VmRSS at its end,"
	echo "wakeups are voluntary + involuntary context switches summed over all threads. Fyne renders"
	echo "through Mesa's software GL under Xvfb, so both figures include rendering."
	echo
	if have "$l_rss" "$m_rss"; then
		echo "| | Lull | minimal Fyne window | Lull ÷ minimal |"
		echo "|---|---|---|---|"
		echo "| RSS | $(calc '"%.1f", a / 1024' "$l_rss") MB | $(calc '"%.1f", a / 1024' "$m_rss") MB | $(calc '"%.2f", a / b' "$l_rss" "$m_rss")× |"
		echo "| Peak RSS | $(calc '"%.1f", a / 1024' "$l_hwm") MB | $(calc '"%.1f", a / 1024' "$m_hwm") MB | $(calc '"%.2f", a / b' "$l_hwm" "$m_hwm")× |"
		echo "| CPU, % of one core | $l_cpu | $m_cpu | $(awk -v a="$l_cpu" -v b="$m_cpu" 'BEGIN { if (b > 0) printf "%.2f×", a / b; else printf "n/a" }') |"
		echo "| CPU seconds over the 60 s idle window | $l_cs | $m_cs | $(awk -v a="$l_cs" -v b="$m_cs" 'BEGIN { if (b > 0) printf "%.2f×", a / b; else printf "n/a" }') |"
		if have "$h_rss"; then
			echo "| Hidden to the tray: RSS / CPU s / wakeups | $(calc '"%.1f", a / 1024' "$h_rss") MB / $h_cs s / $h_wk per s | | |"
		fi
		echo "| Wakeups /s | $l_wk | $m_wk | $(awk -v a="$l_wk" -v b="$m_wk" 'BEGIN { if (b > 0) printf "%.2f×", a / b; else printf "n/a" }') |"
		echo "| Threads | $l_th | $m_th | |"
	fi
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
	echo "| bench/footprint.sh (incl. building bench/minimal) | ${secs[footprint]:-n/a} |"
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
} >"$OUT"

step "Summary (written to $OUT in $((SECONDS - t_all)) s)"
printf '%s\n' "${summary[@]}"
if [ ${#errors[@]} -gt 0 ]; then
	printf '%s\n' "${errors[@]}" >&2
	exit 1
fi
