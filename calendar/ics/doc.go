// Package ics reads iCalendar data: it parses calendars (its own
// content-line reader, time zones), expands their events into occurrences
// over a window, and writes occurrences in the reference expanders' format
// to diff Lull against software nobody here wrote. It knows nothing of
// busy time, sources or planning: package calendar builds those on top.
//
// # Parsing
//
// Parse accepts what real calendars contain: a UTF-8 byte-order mark, text
// that is not UTF-8 (read as Windows-1252, a superset of Latin-1), CRLF, LF
// or CR line ends, folded lines, several concatenated VCALENDAR objects and
// bare VEVENTs. Events are read by Lull's own content-line reader, which
// accepts and rejects exactly what go-ical's decoder does (go-ical still
// reads VTIMEZONEs); a component it cannot read, or whose DTSTART, RRULE,
// EXDATE... is unusable, is reported in Calendar.Problems (source, line,
// UID) and the others are kept. An empty file is ErrEmpty, a file with no
// calendar in it ErrNotICalendar. Big calendars are read and expanded on
// a few goroutines, with results in file order.
//
// A damaged file keeps what is readable and says so in Calendar.Problems:
// a calendar without END:VCALENDAR or an event cut off by the end of the
// file (truncated download; what the event holds is read), an END:VEVENT
// whose BEGIN was lost, lines between components that are not name:value
// and lines inside one that do not start like a property (binary or
// overwritten data). A file with such damage and no event is
// ErrNotICalendar.
//
// # Limits
//
// Every reader of calendar data goes through ReadFile or ReadLimited and
// MaxInputBytes. A value that places or sizes an event must be sane: a
// DTSTART, DTEND, RDATE or RECURRENCE-ID before MinYear, or an event,
// period or DURATION longer than MaxEventLength either way, makes the event
// a problem naming the line (no arithmetic is done before the check, so
// nothing overflows). One expansion of one calendar produces at most
// DefaultMaxOccurrences occurrences and walks at most DefaultMaxWork rule
// instances (a series at most 1,000,000): the events cut short are
// returned by Expand as problems wrapping ErrCapped, in file order, and
// the result is the same on every run.
//
// # Holes in go-ical and rrule-go that Lull works around
//
//   - RDATE is read (DATE, DATE-TIME lists and PERIOD).
//   - EXDATE comma lists and repeated EXDATE lines all apply; a DATE EXDATE
//     removes that day's instance of a timed series.
//   - TZID is resolved as an IANA name in any case, a libical/Mozilla
//     prefixed name ("/freeassociation.sourceforge.net/Europe/Berlin"), a
//     Windows or Outlook display name (CLDR windowsZones table, tzwindows.tsv),
//     and only then through the file's own VTIMEZONE (unrolled into a TZif
//     table). An unknown TZID without VTIMEZONE is floating time.
//   - X-WR-TIMEZONE places floating date-times (what Google and Apple mean).
//   - RECURRENCE-ID overrides replace their instance (moved, retitled,
//     cancelled, moved into or out of the window; an Exchange RECURRENCE-ID
//     at 00:00 names the day of the instance); RANGE=THISANDFUTURE moves and
//     retitles the rest of the series, by the same change of wall-clock
//     time in the series' zone (a Friday 15:00 series moved to Monday stays
//     at 15:00 across a DST change). The window is checked against the
//     moved times: the rule is iterated over the window widened by the
//     largest move, so an instance moved in from beyond either edge is
//     found and one moved out is dropped.
//   - Several RRULE lines (deprecated by RFC 5545, still written) give the
//     union of their instances, each instance once (ical.js agrees; the
//     Python reference fails on such files, node-ical keeps one rule).
//   - Rules are iterated only up to the end of the window (never
//     rrule.Set.All), within the limits above; rules that can never match
//     are rejected at parse time.
//   - An all-day event without DTEND lasts one calendar day (23 or 25 hours
//     on DST days). Wall times in a DST gap move forward by the gap; in an
//     overlap the first instant is used (RFC 5545 3.3.5).
//
// # Where Lull differs from the reference expanders
//
// ../shared/oracle holds two references (Python recurring-ical-events and
// ical.js); TestCorpusAgreement runs Lull over the 82 real-world calendars
// of ../shared/testdata/ics and over the copy in testdata/ics. The two
// references agree on 42 of the 82 files; Lull's output is byte-identical
// on 37 of them, and differs on the other five on purpose, where both
// references are wrong (testdata/expand/corpus-shared.tsv lists every file):
//
//   - Prefixed TZIDs (issue_313_globally_unique_tzid): both read
//     "/mozilla.org/20070129_1/America/New_York" as floating; Lull uses the
//     IANA zone the name ends with.
//   - UNTIL given as a DATE on a timed series (rrule_until_only_date): the
//     references stop at that day's midnight; Lull includes the day, which
//     is what the producer meant and the safe side for busy time.
//   - UNTIL in local time without 'Z' on a zoned series (non-utc-until-ny,
//     sabre UntilRespectsTimezone): the references read it as UTC; Lull reads
//     it in DTSTART's zone, as sabre/vobject's test and node-ical's fixture
//     expect.
//   - Latin-1 bytes (basic_latin1): both references print U+FFFD; Lull
//     decodes Windows-1252 ("Restmülltonne").
//
// UNTIL equal to an instance keeps that instance (RFC 5545; ical.js does,
// the Python reference drops it).
//
// DTSTART is always the first instance (RFC 5545 3.8.5.3), so a rule that
// yields nothing — COUNT=0, a negative COUNT, an UNTIL before DTSTART —
// leaves the event at DTSTART alone, without a problem: the meeting its
// producer placed there is the safe reading for busy time. The Python
// reference does the same for COUNT=0 and COUNT=-1 but drops an UNTIL
// before DTSTART; ical.js repeats COUNT=0 forever and drops the other two;
// node-ical drops all three.
//
// The same event sent again (several VEVENTs with one UID and no
// RECURRENCE-ID) is one event: a copy with a higher SEQUENCE, or the same
// SEQUENCE and a later LAST-MODIFIED (else DTSTAMP), replaces the older
// ones wherever it is in the file. Copies nothing tells apart are all
// kept: feeds reuse one UID for different events (tv-show-episode), and
// keeping them is the safe side for busy time. The Python reference and
// node-ical let the last copy win on an equal SEQUENCE; ical.js keeps all.
// VEVENTs with a RECURRENCE-ID are overrides, not copies; of two overrides
// of one instance the newer wins, the last in the file on a tie.
//
// Where the references disagree, Lull follows the Python reference on
// X-WR-TIMEZONE (floating times are in that zone), Windows zone names
// (CLDR mapping) and RECURRENCE-ID matching, and ical.js where Python
// failed or ignored the file's VTIMEZONE or an EXDATE of a comma list.
// Impossible dates (30 February) are problems, not rolled over. A negative
// DURATION gives a zero-length event. Every decision is listed per file, with
// its reason, in corpusDecisions (oracle_corpus_test.go); files where Lull
// follows neither have reviewed golden outputs in testdata/expand/golden.
package ics
