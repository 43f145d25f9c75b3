package ics

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	ical "github.com/emersion/go-ical"
)

// Sentinel errors of parsing and expansion, checked with errors.Is.
var (
	// ErrEmpty means the source held no data at all (zero bytes or only
	// whitespace), which usually means a failed download or a truncated file.
	ErrEmpty = errors.New("empty calendar data")
	// ErrNotICalendar means the data is not an iCalendar stream (no
	// BEGIN:VCALENDAR, or not decodable at all).
	ErrNotICalendar = errors.New("not an iCalendar file")
	// ErrBadEvent marks a per-event problem collected in Calendar.Problems;
	// the other events of the calendar are still expanded.
	ErrBadEvent = errors.New("bad event")
)

// EventError is a problem with one component of a calendar. It names the
// source, the line where the component begins and its UID when known, so
// the user can find it in the file.
type EventError struct {
	Source string
	Line   int
	UID    string
	Err    error
}

// Error implements error.
func (e *EventError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "calendar %q", e.Source)
	if e.Line > 0 {
		fmt.Fprintf(&b, ": line %d", e.Line)
	}
	if e.UID != "" {
		fmt.Fprintf(&b, ": event %q", e.UID)
	}
	fmt.Fprintf(&b, ": %v", e.Err)
	return b.String()
}

// Unwrap lets errors.Is see both ErrBadEvent and the cause.
func (e *EventError) Unwrap() []error { return []error{ErrBadEvent, e.Err} }

// Calendar is a parsed iCalendar source, ready to be expanded any number of
// times over different windows. It is immutable after Parse.
type Calendar struct {
	// Name is the source name given to Parse (a path, URL label or ID).
	Name string
	// Problems lists what could not be read (each an *EventError wrapping
	// ErrBadEvent): events that are skipped, and damage to the file (a
	// truncated end, garbage lines), where what was readable is kept.
	Problems []error

	events []*event
	// wrZone is the zone named by X-WR-TIMEZONE, or nil.
	wrZone *time.Location
}

// EventCount returns the number of VEVENT components that parsed well,
// masters and overrides alike.
func (c *Calendar) EventCount() int { return len(c.events) }

// timeKind says how a DATE-TIME or DATE value is anchored.
type timeKind uint8

const (
	kindZoned    timeKind = iota // an instant (UTC or TZID)
	kindFloating                 // wall clock, in the user's zone
	kindDate                     // a calendar date, in the user's zone
)

// icalTime is a parsed DTSTART/DTEND/RDATE/... value. For floating and
// date values, T holds the wall clock in time.UTC.
type icalTime struct {
	T    time.Time
	Kind timeKind
}

// rdate is one RDATE value; End is set for PERIOD values.
type rdate struct {
	Start icalTime
	End   *icalTime
}

// event is one parsed VEVENT (a master, a standalone event or an override).
type event struct {
	UID        string
	Summary    string
	Line       int
	Start      icalTime
	End        *icalTime      // DTEND, if present
	Duration   *time.Duration // DURATION, if present and no DTEND
	Rules      []*ruleSpec    // every RRULE; their instances are united
	RDates     []rdate
	ExDates    []icalTime
	RecurID    *icalTime
	Seq        int
	Stamp      time.Time // DTSTAMP (UTC wall clock), zero when absent
	Modified   time.Time // LAST-MODIFIED, zero when absent
	ThisAndFut bool
	Cancelled  bool

	Transp     string // TRANSP, upper case ("" when absent)
	BusyStatus string // X-MICROSOFT-CDO-BUSYSTATUS, upper case
	Attendees  []attendee
	// Organizer is the ORGANIZER's address, lower case without "mailto:".
	Organizer string
	// Description is DESCRIPTION, unescaped and cut at MaxDescriptionBytes.
	Description string
}

// MaxDescriptionBytes bounds the description kept per event: the meeting
// audit only asks whether there is an agenda, and a calendar of thousands
// of events with long descriptions must not cost that much memory.
const MaxDescriptionBytes = 1024

// attendee is an ATTENDEE of an event with its participation status.
type attendee struct {
	Addr     string // lower-case address without "mailto:"
	PartStat string // upper case
}

// Parse reads an iCalendar file. name identifies the source in errors.
//
// Parse is tolerant: a UTF-8 byte-order mark is skipped, bytes that are not
// UTF-8 are read as Windows-1252 (a superset of Latin-1), CRLF, LF and CR
// line ends are accepted, folded lines are unfolded, several concatenated
// VCALENDAR objects are merged. A component that cannot be read is reported
// in Calendar.Problems with its line and UID, and the others are kept. Parse
// returns an error only when nothing usable is there: empty data
// (ErrEmpty) or data that is not iCalendar (ErrNotICalendar).
func Parse(name string, data []byte) (*Calendar, error) {
	return parseText(name, string(data))
}

// parseText is Parse over the file's text as a string (ExpandFile reads
// the file straight into one, saving a copy of a big calendar).
func parseText(name string, raw string) (cal *Calendar, err error) {
	defer func() {
		if r := recover(); r != nil {
			cal, err = nil, fmt.Errorf("calendar %q: %w: internal error: %v", name, ErrNotICalendar, r)
		}
	}()
	text := normalizeText(raw)
	if strings.TrimSpace(text) == "" {
		return nil, fmt.Errorf("calendar %q: %w", name, ErrEmpty)
	}
	cal = &Calendar{Name: name}
	p := &parser{cal: cal, eventBlocks: make([]block, 0, strings.Count(text, "BEGIN:VEVENT"))}
	if err := p.split(text); err != nil {
		return nil, fmt.Errorf("calendar %q: %w", name, err)
	}
	p.parseEvents()
	return cal, nil
}

// parsed is the outcome for one VEVENT: an event or a problem.
type parsed struct {
	ev   *event
	prob error
}

// parseEvents reads the VEVENTs in batches, on up to
// GOMAXPROCS goroutines (started and awaited here), and keeps the events
// and problems in file order.
func (p *parser) parseEvents() {
	nBatches := (len(p.eventBlocks) + parseBatch - 1) / parseBatch
	results := make([][]parsed, nBatches)
	work := func(bi int) {
		start := bi * parseBatch
		batch := p.eventBlocks[start:min(start+parseBatch, len(p.eventBlocks))]
		out := make([]parsed, len(batch))
		evs := make([]event, len(batch)) // one allocation for the batch
		defer func() {
			if r := recover(); r != nil {
				out = []parsed{{prob: &EventError{Source: p.cal.Name, Line: batch[0].line, Err: fmt.Errorf("internal error: %v", r)}}}
			}
			results[bi] = out
		}()
		var c component
		var lines []line
		for i, b := range batch {
			b = b.unfold(lines)
			lines = b.lines
			out[i] = p.parseEvent(b, &c, &evs[i])
		}
	}
	workers := min(runtime.GOMAXPROCS(0), nBatches, 4)
	if workers <= 1 {
		for bi := range nBatches {
			work(bi)
		}
	} else {
		var wg sync.WaitGroup
		var next atomic.Int64
		for range workers {
			wg.Go(func() {
				for {
					bi := int(next.Add(1) - 1)
					if bi >= nBatches {
						return
					}
					work(bi)
				}
			})
		}
		wg.Wait()
	}
	p.eventBlocks = nil
	n := 0
	for _, rs := range results {
		n += len(rs)
	}
	p.cal.events = make([]*event, 0, n)
	for _, rs := range results {
		for _, r := range rs {
			if r.prob != nil {
				p.cal.Problems = append(p.cal.Problems, r.prob)
			} else if r.ev != nil {
				p.cal.events = append(p.cal.events, r.ev)
			}
		}
	}
}

// normalizeText strips a BOM, decodes non-UTF-8 input as Windows-1252 and
// turns every line end into "\n".
func normalizeText(s string) string {
	s = strings.TrimPrefix(s, "\xef\xbb\xbf")
	if !utf8.ValidString(s) {
		s = decodeWindows1252([]byte(s))
	}
	if strings.IndexByte(s, '\n') < 0 {
		s = strings.ReplaceAll(s, "\r", "\n") // classic Mac line ends
	}
	return s // unfold drops the '\r' of CRLF
}

// cp1252 maps bytes 0x80..0x9F of Windows-1252; other bytes are Latin-1.
var cp1252 = [32]rune{
	'€', 0x81, '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', 0x8D, 'Ž', 0x8F,
	0x90, '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', 0x9D, 'ž', 'Ÿ',
}

// decodeWindows1252 decodes data as Windows-1252, keeping valid UTF-8
// sequences as they are (files mixing both exist).
func decodeWindows1252(data []byte) string {
	var b strings.Builder
	b.Grow(len(data) + len(data)/8)
	for len(data) > 0 {
		r, size := utf8.DecodeRune(data)
		if r != utf8.RuneError || size > 1 {
			b.WriteRune(r)
			data = data[size:]
			continue
		}
		c := data[0]
		if c >= 0x80 && c <= 0x9F {
			b.WriteRune(cp1252[c-0x80])
		} else {
			b.WriteRune(rune(c))
		}
		data = data[1:]
	}
	return b.String()
}

// line is one unfolded content line with the number of its first physical
// line in the source.
type line struct {
	text string
	no   int32
	// skip marks a content line of a property Lull never reads (set by
	// block.unfold, used to keep it from readComponent).
	skip bool
}

// unfold appends to out the lines of text with continuation lines (starting
// with space or tab) joined, numbering them from first.
func unfold(out []line, text string, first int) []line {
	no := first - 1
	// next cuts the next physical line off text, without its line end.
	next := func() string {
		no++
		i := strings.IndexByte(text, '\n')
		var l string
		if i < 0 {
			l, text = text, ""
		} else {
			l, text = text[:i], text[i+1:]
		}
		if n := len(l); n > 0 && l[n-1] == '\r' {
			l = l[:n-1]
		}
		return l
	}
	folded := func() bool { return len(text) > 0 && (text[0] == ' ' || text[0] == '\t') }
	for len(text) > 0 {
		l := next()
		if len(l) > 0 && (l[0] == ' ' || l[0] == '\t') && len(out) > 0 {
			// A continuation after a blank line (which is dropped).
			out[len(out)-1].text += l[1:]
			continue
		}
		if strings.TrimSpace(l) == "" {
			continue
		}
		out = append(out, line{no: int32(min(no, math.MaxInt32)), text: l})
		if folded() {
			// Join all continuations at once.
			var b strings.Builder
			b.WriteString(l)
			for folded() {
				b.WriteString(next()[1:])
			}
			out[len(out)-1].text = b.String()
		}
	}
	return out
}

// block is one top-level component inside a VCALENDAR, as cut by split.
type block struct {
	name  string // upper case component name
	line  int    // number of the BEGIN line
	start int    // offset of the BEGIN line in the calendar's text
	// text runs from the BEGIN line to the END line (with its
	// continuations), or to the end of the file when open.
	text string
	open bool // the final END is missing (a truncated download)
	// lines are the unfolded lines of text, once unfold has been called.
	lines []line
}

// unfold returns b with its lines unfolded (into buf, reused), properties
// Lull never reads marked, and the END of an open component supplied.
func (b block) unfold(buf []line) block {
	b.lines = unfold(buf[:0], b.text, b.line)
	if b.open {
		b.lines = append(b.lines, line{no: b.lines[len(b.lines)-1].no, text: "END:" + b.name})
	}
	for i := range b.lines {
		name, _, ok := cutProp(b.lines[i].text)
		b.lines[i].skip = ok && !usedProp(name)
	}
	return b
}

type parser struct {
	cal         *Calendar
	tzBlocks    []block
	eventBlocks []block
	locMu       sync.Mutex // guards what follows: events are read concurrently
	locCache    map[string]*time.Location
	// zones are the file's VTIMEZONEs by TZID, built by resolveZone the
	// first time a TZID is not a known zone name.
	zones      map[string]*time.Location
	zonesBuilt bool
}

// split cuts the text into top-level components the way a walk over its
// unfolded lines would, without keeping the lines: most are properties
// inside a component, read only when parseEvents unfolds the component
// again on its goroutine. Components other than VEVENT and VTIMEZONE are
// ignored.
func (p *parser) split(text string) error {
	var (
		sawCalendar, inCal bool
		openCal            int      // line of the BEGIN:VCALENDAR not yet ended, or 0
		cur                *block   // the open top-level component
		stack              []string // components open inside cur, cur's own name first
		no                 int      // physical lines read
		pos                int      // start of the next physical line
		dmg                damage
	)
	for pos < len(text) {
		start := pos
		l, next := physicalLine(text, pos)
		pos, no = next, no+1
		if strings.TrimSpace(l) == "" {
			continue
		}
		// A line starts: unfold's rules, as below, leave a line starting
		// with a space here only at the top of the file.
		lineNo := no
		// Inside a component only BEGIN and END matter, and a line that
		// starts with a letter other than B or E is neither.
		plain := cur != nil && propStart(l[0])
		full := l
		end := pos // end of the line with its continuations
		for pos < len(text) {
			if c := text[pos]; c == ' ' || c == '\t' {
				cont, next := physicalLine(text, pos)
				pos, no, end = next, no+1, next
				if !plain {
					full += cont[1:]
				}
				continue
			} else if propStart(c) || c == 'b' || c == 'B' || c == 'e' || c == 'E' {
				break
			}
			blank, next := physicalLine(text, pos)
			if strings.TrimSpace(blank) != "" {
				break
			}
			pos, no = next, no+1 // blank lines are dropped; continuations after them still count
		}
		if plain {
			continue
		}
		name, value, ok := cutProp(full)
		if damaged(cur != nil, inCal, full, name, ok) {
			dmg.line(lineNo)
		}
		var v string // the component name of BEGIN and END
		if ok && (name == "BEGIN" || name == "END") {
			v = strings.ToUpper(strings.TrimSpace(value))
		}
		switch {
		case ok && name == "BEGIN":
			if !inCal {
				if v != "VCALENDAR" && v != "VEVENT" && v != "VTIMEZONE" {
					continue
				}
				inCal, sawCalendar = true, true // a bare VEVENT counts as a calendar
				if v == "VCALENDAR" {
					openCal = lineNo
					continue
				}
			}
			if cur != nil && v == cur.name {
				// The previous component was never closed.
				p.problem(cur.line, "", fmt.Errorf("component %s not terminated", cur.name))
				cur = nil
			}
			if cur == nil {
				if v == "VCALENDAR" {
					continue
				}
				cur = &block{name: v, line: lineNo, start: start}
				stack = stack[:0]
			}
			stack = append(stack, v)
		case ok && name == "END":
			if cur == nil {
				switch v {
				case "VCALENDAR":
					inCal, openCal = false, 0
				case "VEVENT":
					// Its BEGIN was lost (damaged): the event is gone.
					p.problem(lineNo, "", errors.New("END:VEVENT without its BEGIN: an event is damaged and was not read"))
				}
				continue
			}
			if v == "VCALENDAR" {
				p.problem(cur.line, "", fmt.Errorf("component %s not terminated", cur.name))
				cur, inCal, openCal = nil, false, 0
				continue
			}
			idx := -1
			for i := len(stack) - 1; i >= 0; i-- {
				if stack[i] == v {
					idx = i
					break
				}
			}
			if idx < 0 {
				continue // stray END: the decoder reports it
			}
			stack = stack[:idx]
			if len(stack) == 0 {
				cur.text = text[cur.start:end]
				p.keep(*cur)
				cur = nil
			}
		case ok && name == "X-WR-TIMEZONE" && cur == nil && inCal:
			if loc := lookupZone(strings.TrimSpace(value)); loc != nil {
				p.cal.wrZone = loc
			}
		}
	}
	switch {
	case cur != nil && len(stack) == 1 && stack[0] == cur.name:
		// Only the final END is missing (truncated download): keep it,
		// and say so.
		cur.text, cur.open = text[cur.start:], true
		p.keep(*cur)
		p.problem(cur.line, "", fmt.Errorf("the file ends inside this %s (truncated?): what it holds was read", cur.name))
	case cur != nil:
		p.problem(cur.line, "", fmt.Errorf("component %s not terminated", cur.name))
	case openCal > 0:
		p.problem(openCal, "", errors.New("END:VCALENDAR missing: the file may be truncated"))
	}
	if !sawCalendar {
		return fmt.Errorf("%w: no BEGIN:VCALENDAR", ErrNotICalendar)
	}
	if dmg.n > 0 {
		if len(p.eventBlocks) == 0 && len(p.tzBlocks) == 0 {
			return fmt.Errorf("%w: no event, and %s (the first at line %d)", ErrNotICalendar, dmg, dmg.first)
		}
		p.problem(dmg.first, "", fmt.Errorf("%s, the first here: the file may be damaged", dmg))
	}
	return nil
}

// damage counts lines that are not iCalendar content lines (binary data,
// a half-overwritten file), as told by damaged.
type damage struct {
	n, first int
}

// line records the damaged line no.
func (d *damage) line(no int) {
	if d.n == 0 {
		d.first = no
	}
	d.n++
}

// String says what was found ("3 lines that are not iCalendar text").
func (d damage) String() string {
	if d.n == 1 {
		return "1 line that is not iCalendar text"
	}
	return fmt.Sprintf("%d lines that are not iCalendar text", d.n)
}

// damaged reports whether a content line is damage (see damage): inside a
// component, a line that does not even start like a property (its first
// byte is no letter, digit or dash; the event's own reading reports other
// malformed lines); between components of a calendar, any line that is
// not name:value. Text outside the calendars (a mail around one) is not
// looked at.
func damaged(inComponent, inCal bool, full, name string, ok bool) bool {
	switch {
	case inComponent:
		return !nameByte(full[0])
	case inCal:
		return !ok || !validName(name)
	}
	return false
}

// nameByte reports whether c can be in a property name.
func nameByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-'
}

// validName reports whether name (upper case) can be a property or
// component name: letters, digits and dashes (RFC 5545 3.1).
func validName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		if !nameByte(name[i]) {
			return false
		}
	}
	return true
}

// physicalLine returns the line of text starting at pos, without its line
// end, and where the next one starts.
func physicalLine(text string, pos int) (l string, next int) {
	i := strings.IndexByte(text[pos:], '\n')
	if i < 0 {
		l, next = text[pos:], len(text)
	} else {
		l, next = text[pos:pos+i], pos+i+1
	}
	if n := len(l); n > 0 && l[n-1] == '\r' {
		l = l[:n-1]
	}
	return l, next
}

// propStart reports whether a line starting with c starts a property that
// is neither BEGIN nor END: c is an ASCII letter or digit but not B or E.
func propStart(c byte) bool {
	switch {
	case c == 'b' || c == 'B' || c == 'e' || c == 'E':
		return false
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return false
}

func (p *parser) keep(b block) {
	switch b.name {
	case "VEVENT":
		p.eventBlocks = append(p.eventBlocks, b)
	case "VTIMEZONE":
		p.tzBlocks = append(p.tzBlocks, b)
	}
}

func (p *parser) problem(lineNo int, uid string, err error) {
	p.cal.Problems = append(p.cal.Problems, &EventError{Source: p.cal.Name, Line: lineNo, UID: uid, Err: err})
}

// cutProp returns the upper-cased property name of a content line (without
// parameters) and its value.
func cutProp(s string) (name, value string, ok bool) {
	end := indexNameEnd(s)
	if end < 0 {
		return "", "", false
	}
	name = strings.ToUpper(strings.TrimSpace(s[:end]))
	if s[end] == ':' {
		return name, s[end+1:], true
	}
	// Skip parameters, honouring quoted values.
	q := false
	for i := end; i < len(s); i++ {
		switch s[i] {
		case '"':
			q = !q
		case ':':
			if !q {
				return name, s[i+1:], true
			}
		}
	}
	return name, "", false
}

// parseBatch is how many VEVENTs one parsing goroutine reads at a time.
const parseBatch = 512

// usedProp reports whether name (upper case) is one of the VEVENT
// properties expansion, busy time and the coach's meeting audit read (the
// audit reads ORGANIZER and DESCRIPTION, the latter cut at
// MaxDescriptionBytes). The others (long X- properties...) are skipped by readComponent: reading them was most of
// the parsing time on real calendars, and a malformed one must not cost
// the event.
func usedProp(name string) bool {
	switch name {
	case "BEGIN", "END", "UID", "SUMMARY", "DTSTART", "DTEND",
		"DURATION", "RRULE", "RDATE", "EXDATE", "RECURRENCE-ID",
		"SEQUENCE", "DTSTAMP", "LAST-MODIFIED", "TRANSP", "STATUS", "ATTENDEE",
		"X-MICROSOFT-CDO-BUSYSTATUS", "X-MICROSOFT-CDO-INTENDEDSTATUS",
		"ORGANIZER", "DESCRIPTION":
		return true
	}
	return false
}

// decodeBlock runs go-ical's decoder over one component (block b with its
// lines unfolded) wrapped in a VCALENDAR. Only VTIMEZONEs, a handful per
// file, are read this way; events go through readComponent.
func decodeBlock(b block) (comp *ical.Component, err error) {
	defer func() {
		if r := recover(); r != nil {
			comp, err = nil, fmt.Errorf("ical decoder: %v", r)
		}
	}()
	var text strings.Builder
	text.WriteString("BEGIN:VCALENDAR\n")
	for _, l := range b.lines {
		text.WriteString(l.text)
		text.WriteByte('\n')
	}
	text.WriteString("END:VCALENDAR\n")
	cal, err := ical.NewDecoder(strings.NewReader(text.String())).Decode()
	if err != nil {
		return nil, err
	}
	for _, c := range cal.Children {
		if c.Name == b.name {
			return c, nil
		}
	}
	return nil, fmt.Errorf("component %s lost in decoding", b.name)
}

// blockLineError finds the line go-ical stumbled on, to name it.
func blockLineError(b block, err error) error {
	for _, l := range b.lines {
		if _, _, ok := cutProp(l.text); !ok {
			return fmt.Errorf("line %d: malformed content line %q: %w", l.no, truncate(l.text, 40), err)
		}
	}
	return err
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// buildZones reads the VTIMEZONEs into p.zones.
func (p *parser) buildZones() {
	p.zones = map[string]*time.Location{}
	for i := range p.tzBlocks {
		p.tzBlocks[i] = p.tzBlocks[i].unfold(nil)
	}
	for _, b := range p.tzBlocks {
		comp, err := decodeBlock(b)
		if err != nil {
			// A broken VTIMEZONE only matters if an event uses it; events
			// then fall back to IANA/Windows names.
			continue
		}
		tzid := strings.TrimSpace(propValue(comp, "TZID"))
		if tzid == "" {
			continue
		}
		if loc, err := zoneFromVTimezone(tzid, comp); err == nil {
			p.zones[normTZID(tzid)] = loc
		}
	}
}

func propValue(c *ical.Component, name string) string {
	if pr := c.Props.Get(name); pr != nil {
		return pr.Value
	}
	return ""
}

// parseEvent reads the VEVENT of block b into ev, using c as scratch
// space.
func (p *parser) parseEvent(b block, c *component, ev *event) parsed {
	if err := readComponent(b, c); err != nil {
		uid := ""
		for _, l := range b.lines {
			if n, v, ok := cutProp(l.text); ok && n == "UID" {
				uid = strings.TrimSpace(v)
				break
			}
		}
		return parsed{prob: &EventError{Source: p.cal.Name, Line: b.line, UID: uid, Err: blockLineError(b, err)}}
	}
	if err := p.buildEvent(c, b.line, ev); err != nil {
		return parsed{prob: &EventError{Source: p.cal.Name, Line: b.line, UID: strings.TrimSpace(c.value("UID")), Err: err}}
	}
	return parsed{ev: ev}
}

// buildEvent fills ev (a zero event) from a VEVENT read by readComponent.
// Its strings share the calendar's text. An error names the line of the
// property at fault.
func (p *parser) buildEvent(c *component, lineNo int, ev *event) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("internal error: %v", r)
		}
	}()
	ev.Line = lineNo
	ev.UID = strings.TrimSpace(c.value("UID"))
	if pr := c.get("SUMMARY"); pr != nil {
		ev.Summary = unescapeText(pr.value)
	}
	ds := c.get("DTSTART")
	if ds == nil {
		return errors.New("no DTSTART")
	}
	if ev.Start, err = p.parseEventTime(ds); err != nil {
		return propError(ds, "DTSTART", err)
	}
	if de := c.get("DTEND"); de != nil {
		et, err := p.parseEventTime(de)
		if err == nil {
			err = checkLength(ev.Start.T, et.T)
		}
		if err != nil {
			return propError(de, "DTEND", err)
		}
		ev.End = &et
	} else if du := c.get("DURATION"); du != nil {
		d, err := parseDuration(du.value)
		if err != nil {
			return propError(du, "DURATION", err)
		}
		ev.Duration = &d
	}
	for i := range c.props {
		if pr := &c.props[i]; pr.name == "RRULE" {
			// Several RRULEs (deprecated by RFC 5545, still written) make
			// the union of their instances.
			spec, err := parseRule(pr.value)
			if err == nil {
				_, err = spec.build(ev.Start.T)
			}
			if err != nil {
				return propError(pr, fmt.Sprintf("RRULE %q", truncate(pr.value, 60)), err)
			}
			ev.Rules = append(ev.Rules, spec)
		}
	}
	for i := range c.props {
		if pr := &c.props[i]; pr.name == "EXDATE" {
			if ev.ExDates, err = p.parseTimes(pr, ev.ExDates); err != nil {
				return propError(pr, "EXDATE", err)
			}
		}
	}
	for i := range c.props {
		if pr := &c.props[i]; pr.name == "RDATE" {
			rds, err := p.parseRDates(pr)
			if err != nil {
				return propError(pr, "RDATE", err)
			}
			ev.RDates = append(ev.RDates, rds...)
		}
	}
	if ri := c.get("RECURRENCE-ID"); ri != nil {
		rid, err := p.parseEventTime(ri)
		if err != nil {
			return propError(ri, "RECURRENCE-ID", err)
		}
		ev.RecurID = &rid
		ev.ThisAndFut = strings.EqualFold(ri.param("RANGE"), "THISANDFUTURE")
	}
	if sq := c.get("SEQUENCE"); sq != nil {
		ev.Seq, _ = strconv.Atoi(strings.TrimSpace(sq.value))
	}
	// Stamps only order copies of one event; an unreadable one is absent.
	if pr := c.get("DTSTAMP"); pr != nil {
		ev.Stamp = stampOf(pr.value)
	}
	if pr := c.get("LAST-MODIFIED"); pr != nil {
		ev.Modified = stampOf(pr.value)
	}
	ev.Transp = strings.ToUpper(strings.TrimSpace(c.value("TRANSP")))
	ev.Cancelled = strings.EqualFold(strings.TrimSpace(c.value("STATUS")), "CANCELLED")
	ev.BusyStatus = strings.ToUpper(strings.TrimSpace(c.value("X-MICROSOFT-CDO-BUSYSTATUS")))
	if ev.BusyStatus == "" {
		ev.BusyStatus = strings.ToUpper(strings.TrimSpace(c.value("X-MICROSOFT-CDO-INTENDEDSTATUS")))
	}
	if pr := c.get("ORGANIZER"); pr != nil {
		ev.Organizer = strings.TrimPrefix(strings.ToLower(strings.TrimSpace(pr.value)), "mailto:")
	}
	if pr := c.get("DESCRIPTION"); pr != nil {
		ev.Description = cutBytes(unescapeText(pr.value), MaxDescriptionBytes)
	}
	for i := range c.props {
		if pr := &c.props[i]; pr.name == "ATTENDEE" {
			addr := strings.ToLower(strings.TrimSpace(pr.value))
			addr = strings.TrimPrefix(addr, "mailto:")
			ev.Attendees = append(ev.Attendees, attendee{Addr: addr, PartStat: strings.ToUpper(pr.param("PARTSTAT"))})
		}
	}
	return nil
}

// cutBytes cuts s to at most n bytes at a rune boundary.
func cutBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// propError is err of the property pr, named what, with its line.
func propError(pr *contentProp, what string, err error) error {
	if pr.no > 0 {
		return fmt.Errorf("line %d: %s: %w", pr.no, what, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// stampOf reads a DTSTAMP or LAST-MODIFIED value (UTC or not), or returns
// the zero time when it is unreadable.
func stampOf(v string) time.Time {
	t, err := parseTimeValue(strings.TrimSpace(v), false, nil, true)
	if err != nil {
		return time.Time{}
	}
	return t.T
}

// parseEventTime is parseTime for a value that places an event (DTSTART,
// DTEND, RECURRENCE-ID): its year must be MinYear or later.
func (p *parser) parseEventTime(pr *contentProp) (icalTime, error) {
	t, err := p.parseTime(pr)
	if err != nil {
		return t, err
	}
	return t, checkYear(t)
}

// checkYear rejects a time before MinYear.
func checkYear(t icalTime) error {
	if y := t.T.Year(); y < MinYear {
		return fmt.Errorf("year %04d is out of range: events are read from %d to 9999", y, MinYear)
	}
	return nil
}

// checkLength rejects an event or period whose end is more than
// MaxEventLength from its start, either way. Whole seconds of the two
// values are compared, which cannot overflow for any year.
func checkLength(start, end time.Time) error {
	if d := end.Unix() - start.Unix(); d > int64(MaxEventLength/time.Second) || -d > int64(MaxEventLength/time.Second) {
		return fmt.Errorf("the event would last %s: events last at most %s", lengthText(d), lengthText(int64(MaxEventLength/time.Second)))
	}
	return nil
}

// lengthText says a number of seconds in years or days, for messages.
func lengthText(secs int64) string {
	if secs < 0 {
		secs = -secs
	}
	days := secs / 86400
	if days >= 2*365 {
		return fmt.Sprintf("%d years", days/365)
	}
	return fmt.Sprintf("%d days", days)
}

// errNoValue is the error for a date property without a value.
var errNoValue = errors.New("no value")

// unescapeText undoes RFC 5545 TEXT escaping in one pass ("\\n" stays a
// backslash followed by n).
func unescapeText(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		i++
		switch s[i] {
		case 'n', 'N':
			b.WriteByte('\n')
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// parseTime parses a DATE / DATE-TIME property that has one value; of a
// list, it returns the first (all must parse).
func (p *parser) parseTime(pr *contentProp) (icalTime, error) {
	var buf [1]icalTime
	ts, err := p.parseTimes(pr, buf[:0])
	if err != nil {
		return icalTime{}, err
	}
	if len(ts) == 0 {
		return icalTime{}, errNoValue
	}
	return ts[0], nil
}

// parseTimes parses a DATE / DATE-TIME property, including comma-separated
// lists (go-ical rejects those with "extra text"), appending to out.
func (p *parser) parseTimes(pr *contentProp, out []icalTime) ([]icalTime, error) {
	loc, floating, err := p.propZone(pr)
	if err != nil {
		return nil, err
	}
	isDate := strings.EqualFold(pr.param("VALUE"), "DATE")
	for rest, more := pr.value, true; more; {
		var v string
		v, rest, more = strings.Cut(rest, ",")
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		t, err := parseTimeValue(v, isDate, loc, floating)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

func (p *parser) parseRDates(pr *contentProp) ([]rdate, error) {
	if !strings.EqualFold(pr.param("VALUE"), "PERIOD") && !strings.Contains(pr.value, "/") {
		ts, err := p.parseTimes(pr, nil)
		if err != nil {
			return nil, err
		}
		out := make([]rdate, len(ts))
		for i, t := range ts {
			if err := checkYear(t); err != nil {
				return nil, err
			}
			out[i] = rdate{Start: t}
		}
		return out, nil
	}
	loc, floating, err := p.propZone(pr)
	if err != nil {
		return nil, err
	}
	var out []rdate
	for _, v := range strings.Split(pr.value, ",") {
		v = strings.TrimSpace(v)
		a, b, ok := strings.Cut(v, "/")
		if !ok {
			return nil, fmt.Errorf("bad PERIOD %q", v)
		}
		s, err := parseTimeValue(a, false, loc, floating)
		if err != nil {
			return nil, err
		}
		if err := checkYear(s); err != nil {
			return nil, err
		}
		var e icalTime
		if strings.HasPrefix(b, "P") || strings.HasPrefix(b, "+P") || strings.HasPrefix(b, "-P") {
			d, err := parseDuration(b)
			if err != nil {
				return nil, err
			}
			e = icalTime{T: s.T.Add(d), Kind: s.Kind}
		} else if e, err = parseTimeValue(b, false, loc, floating); err != nil {
			return nil, err
		} else if err := checkLength(s.T, e.T); err != nil {
			return nil, err
		}
		out = append(out, rdate{Start: s, End: &e})
	}
	return out, nil
}

// propZone resolves the TZID parameter of a property. An unknown TZID
// yields floating time (what both reference expanders do).
func (p *parser) propZone(pr *contentProp) (loc *time.Location, floating bool, err error) {
	tzid := pr.param("TZID")
	if tzid == "" {
		return nil, true, nil
	}
	if loc := p.resolveZone(tzid); loc != nil {
		return loc, false, nil
	}
	return nil, true, nil
}

// parseTimeValue parses one DATE or DATE-TIME value.
func parseTimeValue(v string, isDate bool, loc *time.Location, floating bool) (icalTime, error) {
	if len(v) == 8 || isDate {
		if len(v) > 8 {
			v = v[:8]
		}
		t, err := parseDigits(v, false)
		if err != nil {
			return icalTime{}, fmt.Errorf("bad DATE %q", v)
		}
		return icalTime{T: t, Kind: kindDate}, nil
	}
	utc := strings.HasSuffix(v, "Z") || strings.HasSuffix(v, "z")
	v = strings.TrimRight(v, "Zz")
	var t time.Time
	var err error
	switch len(v) {
	case 15:
		t, err = parseDigits(v, true)
	case 13:
		t, err = time.ParseInLocation("20060102T1504", v, time.UTC)
	default:
		err = errors.New("wrong length")
	}
	if err != nil {
		return icalTime{}, fmt.Errorf("bad DATE-TIME %q", v)
	}
	switch {
	case utc:
		return icalTime{T: t, Kind: kindZoned}, nil
	case floating || loc == nil:
		return icalTime{T: t, Kind: kindFloating}, nil
	default:
		return icalTime{T: wallIn(t, loc), Kind: kindZoned}, nil
	}
}

// errBadDigits is parseDigits' error; callers say what was wrong.
var errBadDigits = errors.New("bad date")

// parseDigits parses "20060102" or "20060102T150405" as a UTC wall clock,
// without the generality (and cost) of time.Parse.
func parseDigits(v string, withTime bool) (time.Time, error) {
	num := func(s string) (int, bool) {
		n := 0
		for i := 0; i < len(s); i++ {
			c := s[i]
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int(c-'0')
		}
		return n, true
	}
	bad := errBadDigits
	y, ok1 := num(v[0:4])
	mo, ok2 := num(v[4:6])
	d, ok3 := num(v[6:8])
	if !ok1 || !ok2 || !ok3 || mo < 1 || mo > 12 || d < 1 || d > daysIn(time.Month(mo), y) {
		return time.Time{}, bad
	}
	var h, mi, s int
	if withTime {
		var ok4, ok5, ok6 bool
		if v[8] != 'T' && v[8] != 't' {
			return time.Time{}, bad
		}
		h, ok4 = num(v[9:11])
		mi, ok5 = num(v[11:13])
		s, ok6 = num(v[13:15])
		if !ok4 || !ok5 || !ok6 || h > 23 || mi > 59 || s > 60 {
			return time.Time{}, bad
		}
		if s == 60 {
			s = 59 // a leap second is read as the second before it
		}
	}
	return time.Date(y, time.Month(mo), d, h, mi, s, 0, time.UTC), nil
}

func daysIn(m time.Month, y int) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// wallIn reinterprets the wall clock of t (any zone) in loc, the way
// RFC 5545 3.3.5 wants: a wall time that occurs twice (DST overlap) is the
// first of the two instants; a wall time in a DST gap is read with the
// offset before the gap (so 02:30 in a 1-hour spring gap is 03:30).
func wallIn(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.Date()
	hh, mm, ss := t.Clock()
	if loc == time.UTC {
		return time.Date(y, m, d, hh, mm, ss, t.Nanosecond(), time.UTC)
	}
	w := time.Date(y, m, d, hh, mm, ss, t.Nanosecond(), time.UTC).Unix()
	_, offBefore := time.Unix(w-86400, 0).In(loc).Zone()
	_, offAfter := time.Unix(w+86400, 0).In(loc).Zone()
	u1 := w - int64(offBefore)
	if offBefore == offAfter {
		// Usual case: no transition within a day of t. A transition of
		// more than a day's worth is not a thing.
		if _, o := time.Unix(u1, 0).In(loc).Zone(); o == offBefore {
			return time.Unix(u1, int64(t.Nanosecond())).In(loc)
		}
	}
	u2 := w - int64(offAfter)
	_, o1 := time.Unix(u1, 0).In(loc).Zone()
	_, o2 := time.Unix(u2, 0).In(loc).Zone()
	v1, v2 := o1 == offBefore, o2 == offAfter
	switch {
	case v1 && v2:
		return time.Unix(min(u1, u2), int64(t.Nanosecond())).In(loc)
	case v1:
		return time.Unix(u1, int64(t.Nanosecond())).In(loc)
	case v2:
		return time.Unix(u2, int64(t.Nanosecond())).In(loc)
	}
	return time.Unix(u1, int64(t.Nanosecond())).In(loc) // gap
}

// parseDuration parses an RFC 5545 DURATION ("P1DT2H", "-PT15M", "P2W").
// A duration longer than MaxEventLength either way is an error, found
// before anything can overflow.
func parseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(strings.ToUpper(s))
	orig := s
	neg := false
	if strings.HasPrefix(s, "-") {
		neg, s = true, s[1:]
	} else {
		s = strings.TrimPrefix(s, "+")
	}
	if !strings.HasPrefix(s, "P") {
		return 0, fmt.Errorf("bad DURATION %q", orig)
	}
	s = s[1:]
	tooLong := func() error {
		return fmt.Errorf("DURATION %q is longer than %s, the most an event may last", orig, lengthText(int64(MaxEventLength/time.Second)))
	}
	var d time.Duration
	inTime := false
	num := -1
	any := false
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			if num < 0 {
				num = 0
			}
			num = num*10 + int(r-'0')
			// No unit is under a second; num stays below 2·10^9 here,
			// so num seconds cannot overflow.
			if time.Duration(num)*time.Second > MaxEventLength {
				return 0, tooLong()
			}
		case r == 'T':
			inTime = true
		default:
			if num < 0 {
				return 0, fmt.Errorf("bad DURATION %q", orig)
			}
			var unit time.Duration
			switch {
			case r == 'W': // after T too: Google writes "-PT1W1D2H"
				unit = 7 * 24 * time.Hour
			case r == 'D':
				unit = 24 * time.Hour
			case r == 'H' && inTime:
				unit = time.Hour
			case r == 'M' && inTime:
				unit = time.Minute
			case r == 'S' && inTime:
				unit = time.Second
			default:
				return 0, fmt.Errorf("bad DURATION %q", orig)
			}
			// Compared in units, so num*unit is only computed when the
			// sum stays within MaxEventLength (d never exceeds it).
			if time.Duration(num) > (MaxEventLength-d)/unit {
				return 0, tooLong()
			}
			d += time.Duration(num) * unit
			num = -1
			any = true
		}
	}
	if !any || num >= 0 {
		return 0, fmt.Errorf("bad DURATION %q", orig)
	}
	if neg {
		d = -d
	}
	return d, nil
}
