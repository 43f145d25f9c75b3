package ics

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// corpusCase is one row of a corpus MANIFEST.tsv.
type corpusCase struct {
	file, licence, what string
	from, to            time.Time
	agree               string
}

// corpusDirs are where the real-world corpus lives: the shared one next to
// the repository (complete) and the copied subset in testdata (always).
var corpusDirs = []corpusDir{
	{name: "shared", ics: filepath.Join("..", "..", "..", "shared", "testdata", "ics"), refs: filepath.Join("..", "..", "..", "shared", "testdata", "ics-expected")},
	{name: "repo", ics: filepath.Join("testdata", "ics"), refs: filepath.Join("testdata", "expand", "refs")},
}

type corpusDir struct{ name, ics, refs string }

// goldenDir holds Lull's reviewed output for files where it deliberately
// follows neither reference (decision "own"); -update rewrites them.
var goldenDir = filepath.Join("testdata", "expand", "golden")

var updateGolden = flag.Bool("update", false, "rewrite golden files under testdata/expand/golden")

func readManifest(t *testing.T, path string) []corpusCase {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read manifest: %v", err)
	}
	var out []corpusCase
	for i, l := range strings.Split(strings.TrimRight(string(data), "\n"), "\n") {
		if i == 0 || strings.HasPrefix(l, "#") || l == "" {
			continue
		}
		f := strings.Split(l, "\t")
		if len(f) < 9 {
			t.Fatalf("%s:%d: %d fields", path, i+1, len(f))
		}
		from, err1 := time.Parse("2006-01-02", f[6])
		to, err2 := time.Parse("2006-01-02", f[7])
		if err1 != nil || err2 != nil {
			t.Fatalf("%s:%d: bad range %q %q", path, i+1, f[6], f[7])
		}
		out = append(out, corpusCase{file: f[0], licence: f[4], what: f[5], from: from, to: to, agree: f[8]})
	}
	return out
}

// expandOracle runs Lull over one corpus file the way the references were
// run: UTC bounds, floating times and dates compared as if in UTC.
func expandOracle(t *testing.T, path string, from, to time.Time) (string, *Calendar, error) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cal, err := Parse(filepath.Base(path), data)
	if err != nil {
		return "", nil, err
	}
	var buf bytes.Buffer
	if err := WriteOracle(&buf, expandOK(t, cal, from, to, ExpandOptions{Location: time.UTC})); err != nil {
		t.Fatal(err)
	}
	return buf.String(), cal, nil
}

func readExpected(t *testing.T, dir corpusDir, file, ref string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir.refs, file+"."+ref+".tsv"))
	if err != nil {
		t.Fatalf("expected output: %v", err)
	}
	return string(b)
}

// firstDiff describes the first differing line of two outputs.
func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return fmt.Sprintf("line %d: got %q, want %q (got %d lines, want %d)", i+1, gl, wl, len(g)-1, len(w)-1)
		}
	}
	return "equal"
}

// TestCorpusAgreement checks Lull against the reference expanders on every
// corpus file where they agree, byte for byte, and against the decided
// reference (corpusDecisions, documented in doc.go) where they do not.
func TestCorpusAgreement(t *testing.T) {
	ran := false
	for _, dir := range corpusDirs {
		manifest := filepath.Join(dir.ics, "MANIFEST.tsv")
		if _, err := os.Stat(manifest); err != nil {
			t.Logf("corpus %s (%s) absent, skipped", dir.name, dir.ics)
			continue
		}
		ran = true
		t.Run(dir.name, func(t *testing.T) {
			runCorpus(t, dir)
		})
	}
	if !ran {
		t.Skip("no corpus found")
	}
}

func runCorpus(t *testing.T, dir corpusDir) {
	cases := readManifest(t, filepath.Join(dir.ics, "MANIFEST.tsv"))
	agreeTotal, agreeOK, deviations := 0, 0, 0
	decidedTotal, decidedOK := 0, 0
	var report []string
	for _, c := range cases {
		got, cal, err := expandOracle(t, filepath.Join(dir.ics, c.file), c.from, c.to)
		if d := os.Getenv("LULL_CORPUS_DUMP"); d != "" {
			os.WriteFile(filepath.Join(d, c.file+".lull.tsv"), []byte(got), 0o644)
		}
		py := readExpected(t, dir, c.file, "py")
		js := readExpected(t, dir, c.file, "icaljs")
		status := ""
		d, decided := corpusDecisions[c.file]
		switch {
		case c.agree == "identical" && decided:
			agreeTotal++
			status = "deviates:" + d.follow
			if msg := checkOwn(t, c.file, got, err, d); msg != "" {
				t.Errorf("%s: %s (%s)", c.file, msg, d.why)
			} else {
				deviations++
			}
		case c.agree == "identical":
			agreeTotal++
			if err == nil && got == py {
				agreeOK++
				status = "agree"
			} else {
				status = "MISMATCH"
				if err != nil {
					t.Errorf("%s: references agree, Lull failed: %v", c.file, err)
				} else {
					t.Errorf("%s: references agree, Lull differs: %s", c.file, firstDiff(got, py))
				}
			}
		default:
			if !decided {
				t.Errorf("%s (%s): no documented decision; py: %s; icaljs: %s", c.file, c.agree, firstDiff(got, py), firstDiff(got, js))
				status = "UNDECIDED"
				break
			}
			decidedTotal++
			want := ""
			switch d.follow {
			case "py":
				want = py
			case "icaljs":
				want = js
			}
			switch {
			case d.follow == "error":
				if err == nil && len(cal.Problems) == 0 {
					t.Errorf("%s: want a parse error or problems (%s)", c.file, d.why)
				} else {
					decidedOK++
				}
			case d.follow == "own":
				if msg := checkOwn(t, c.file, got, err, d); msg != "" {
					t.Errorf("%s: %s (%s)", c.file, msg, d.why)
				} else {
					decidedOK++
				}
			case err != nil:
				t.Errorf("%s: Lull failed: %v", c.file, err)
			case got != want:
				t.Errorf("%s: decided to follow %s (%s): %s", c.file, d.follow, d.why, firstDiff(got, want))
			default:
				decidedOK++
			}
			status = "decided:" + d.follow
		}
		report = append(report, fmt.Sprintf("%s\t%s\t%s", c.file, c.agree, status))
	}
	sort.Strings(report)
	summary := fmt.Sprintf("references agree on %d files: Lull byte-identical on %d, deliberate documented deviations %d; "+
		"references disagree or fail on %d files: Lull matches its documented decision on %d",
		agreeTotal, agreeOK, deviations, decidedTotal, decidedOK)
	t.Log(summary)
	// LULL_CORPUS_REPORT=DIR writes DIR/corpus-<name>.tsv (the committed
	// copy is testdata/expand/corpus-shared.tsv).
	if os.Getenv("LULL_CORPUS_REPORT") != "" {
		body := fmt.Sprintf("# generated by TestCorpusAgreement over %s\n# %s\n%s\n", dir.ics, summary, strings.Join(report, "\n"))
		if err := os.WriteFile(filepath.Join(os.Getenv("LULL_CORPUS_REPORT"), "corpus-"+dir.name+".tsv"), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// checkOwn compares Lull's output with its golden file.
func checkOwn(t *testing.T, file, got string, err error, d corpusDecision) string {
	t.Helper()
	if d.follow != "own" {
		return "deviation must be an own decision"
	}
	if err != nil {
		got = "ERROR " + errorKind(err) + "\n"
	}
	path := filepath.Join(goldenDir, file+".tsv")
	if *updateGolden {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, rerr := os.ReadFile(path)
	if rerr != nil {
		return fmt.Sprintf("golden file: %v (run with -update after review)", rerr)
	}
	if got != string(want) {
		return "golden " + firstDiff(got, string(want))
	}
	return ""
}

func errorKind(err error) string {
	switch {
	case errors.Is(err, ErrEmpty):
		return "ErrEmpty"
	case errors.Is(err, ErrNotICalendar):
		return "ErrNotICalendar"
	}
	return "other"
}

// corpusDecision says which behaviour Lull follows on a file where the
// references disagree or failed, and why (see doc.go).
type corpusDecision struct {
	follow string // "py", "icaljs", "error" or "own"
	why    string
}

// Causes, explained in doc.go.
const (
	whyPrefixedTZID = "libical/Mozilla prefixed TZIDs name real IANA zones; both references read them as floating"
	whyDateUntil    = "a DATE UNTIL on a timed series includes that day; the references cut at its midnight"
	whyLocalUntil   = "a local-time UNTIL is read in DTSTART's zone (producer intent); the references read it as UTC"
	whyLatin1       = "non-UTF-8 bytes are Windows-1252; the references print U+FFFD"
	whyFollowPy     = "X-WR-TIMEZONE, Windows zone names, UNTIL and override matching as the Python reference (see doc.go)"
	whyFollowICALjs = "the file's VTIMEZONE / libical zone names resolved, as ical.js does; Python failed or read them as floating"
	whyBadDate      = "an impossible date (Feb 30) is reported as a problem, not rolled over as ical.js does"
	whyOwnZone      = "Lull resolves zones neither reference could (Windows names, VTIMEZONE, case-insensitive IANA) or expands what they rejected"
	whyBroken       = "malformed file: good events are kept, bad ones reported with their line"
	whyEmptyIsError = "an empty file is a clear error (ErrEmpty), not an empty calendar"
)

var corpusDecisions = map[string]corpusDecision{
	// The references agree, Lull deliberately does not.
	"icalendar__issue_313_globally_unique_tzid.ics": {"own", whyPrefixedTZID},
	"icalevents__rrule_until_only_date.ics":         {"own", whyDateUntil},
	"icalevents__basic_latin1.ics":                  {"own", whyLatin1},
	"nodeical__non-utc-until-ny.ics":                {"own", whyLocalUntil},
	"sabre__UntilRespectsTimezoneTest.ics":          {"own", whyLocalUntil},

	// The references disagree: Lull follows one of them.
	"icalevents__recurring_override.ics":                          {"py", whyFollowPy},
	"icalevents__recurrenceid_ms.ics":                             {"py", whyFollowPy},
	"icalevents__rrule_until_all_day_ms.ics":                      {"py", whyFollowPy},
	"nodeical__bad_custom_ms_tz.ics":                              {"py", "a negative DURATION gives a zero-length event, not one ending before it starts"},
	"nodeical__exchange_whole_day_moved_recurrence.ics":           {"py", whyFollowPy},
	"nodeical__exchange_whole_day_moved_recurrence_offset_tz.ics": {"py", whyFollowPy},
	"nodeical__mixed-timezone-handling.ics":                       {"py", whyFollowPy},
	"nodeical__tv-show-episode.ics":                               {"py", "floating times are in X-WR-TIMEZONE when the calendar names one"},
	"apical__office_365_extended_timezone.ics":                    {"py", "Windows zone names map to IANA zones (CLDR)"},
	"apical__unknown_value_proton_mail.ics":                       {"py", whyFollowPy},
	"icalendar__issue_466_convert_tzid_with_slash.ics":            {"icaljs", whyFollowICALjs},
	"icalevents__multi_exdate_same_line_ms.ics":                   {"icaljs", "every EXDATE of a comma list applies (Python dropped one)"},
	"icalevents__recurr_id_dtstart_missmatch.ics":                 {"icaljs", whyFollowICALjs},
	"apical__google_calendar_invalid_offset.ics":                  {"icaljs", whyFollowICALjs},

	// One reference failed: Lull follows the one that worked.
	"icalendar__issue_218_bad_tzid.ics":                    {"icaljs", whyFollowICALjs},
	"icalendar__america_new_york_forward_reference.ics":    {"icaljs", whyFollowICALjs},
	"icalendar__rfc_5545_RDATE_example.ics":                {"icaljs", whyFollowICALjs},
	"icalendar__issue_156_RDATE_with_PERIOD_TZID_khal.ics": {"icaljs", whyFollowICALjs},
	"icalendar__broken_ical.ics":                           {"icaljs", whyBroken},
	"icalevents__icloud.ics":                               {"icaljs", whyFollowICALjs},

	// Lull's own reviewed output (golden files).
	"icalendar__issue_165_missing_event.ics":                {"own", whyOwnZone},
	"icalendar__issue_722_missing_timezones.ics":            {"own", whyOwnZone},
	"icalendar__period_with_timezone.ics":                   {"own", whyOwnZone},
	"icalendar__issue_348_exception_parsing_value.ics":      {"own", whyBroken},
	"icalendar__rfc_7529.ics":                               {"own", "RSCALE=GREGORIAN is expanded, other calendars are reported"},
	"icalendar__multiple_calendar_components.ics":           {"own", "concatenated VCALENDARs are merged"},
	"icalendar__bom_calendar.ics":                           {"own", "a UTF-8 BOM is skipped"},
	"icalendar__big_bad_calendar.ics":                       {"own", whyBroken},
	"icalendar__parsing_error.ics":                          {"own", whyBroken},
	"icalendar__fuzz_testcase_0_char_in_component_name.ics": {"own", whyBroken},
	"icalevents__cest.ics":                                  {"own", whyOwnZone},
	"icalevents__empty.ics":                                 {"own", whyEmptyIsError},
	"nodeical__Office-2012-owa.ics":                         {"own", whyOwnZone},
	"nodeical__ms_timezones.ics":                            {"own", whyOwnZone},
	"nodeical__daily-count-exdate-recurrence-id.ics":        {"own", whyOwnZone},
	"nodeical__festival-multiday-rrule.ics":                 {"own", "DATE values carrying a time part are read as dates"},
	"nodeical__large-file-with-late-error.ics":              {"own", whyBadDate},
	"apical__missing_colon.ics":                             {"own", whyBroken},
	"icsparser__ICal.ics":                                   {"own", whyOwnZone},
	"icsparser__issue-343.ics":                              {"own", whyOwnZone},
}
