package calendar

import (
	"bytes"
	"fmt"
	"mime"
	"strings"
)

// icsPart is one top-level piece of a VCALENDAR stream kept as raw bytes, so
// that rewriting a calendar (merging CalDAV objects, dropping Lull's own
// blocks) never changes a byte of the events it keeps.
type icsPart struct {
	// comp is the component name ("VEVENT", "VTIMEZONE", …), empty for a
	// calendar-level property line.
	comp string
	// raw is the exact text, with its line endings.
	raw []byte
}

// icsSplit cuts data into the calendar-level property lines and top-level
// components of its VCALENDAR(s). Text outside any VCALENDAR is dropped. It
// never fails: a component left open at the end is kept as it is, for the
// parser to report.
func icsSplit(data []byte) []icsPart {
	var parts []icsPart
	depth := 0
	var cur *icsPart
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		var ln []byte
		if i < 0 {
			ln, data = data, nil
		} else {
			ln, data = data[:i+1], data[i+1:]
		}
		trimmed := strings.ToUpper(strings.TrimRight(string(ln), "\r\n"))
		isFolded := len(ln) > 0 && (ln[0] == ' ' || ln[0] == '\t')
		switch {
		case !isFolded && strings.HasPrefix(trimmed, "BEGIN:"):
			depth++
			if depth == 2 {
				parts = append(parts, icsPart{comp: strings.TrimSpace(trimmed[len("BEGIN:"):])})
				cur = &parts[len(parts)-1]
			}
			if depth >= 2 {
				cur.raw = append(cur.raw, ln...)
			}
		case !isFolded && strings.HasPrefix(trimmed, "END:"):
			if depth >= 2 {
				cur.raw = append(cur.raw, ln...)
			}
			if depth == 2 {
				cur = nil
			}
			if depth > 0 {
				depth--
			}
		case depth >= 2:
			cur.raw = append(cur.raw, ln...)
		case depth == 1:
			if isFolded && len(parts) > 0 && parts[len(parts)-1].comp == "" {
				parts[len(parts)-1].raw = append(parts[len(parts)-1].raw, ln...)
			} else if strings.TrimSpace(trimmed) != "" {
				parts = append(parts, icsPart{raw: append([]byte(nil), ln...)})
			}
		}
	}
	return parts
}

// icsProps returns the unfolded content lines of a component's own level
// (not of nested components such as VALARM), as name → values.
func icsProps(raw []byte) map[string][]string {
	props := map[string][]string{}
	text := strings.ReplaceAll(string(raw), "\r\n", "\n")
	text = strings.ReplaceAll(text, "\n ", "")
	text = strings.ReplaceAll(text, "\n\t", "")
	depth := 0
	for _, ln := range strings.Split(text, "\n") {
		up := strings.ToUpper(ln)
		switch {
		case strings.HasPrefix(up, "BEGIN:"):
			depth++
			continue
		case strings.HasPrefix(up, "END:"):
			depth--
			continue
		}
		if depth != 1 {
			continue
		}
		colon := strings.IndexByte(ln, ':')
		if colon < 0 {
			continue
		}
		name := ln[:colon]
		if semi := strings.IndexByte(name, ';'); semi >= 0 {
			name = name[:semi]
		}
		props[strings.ToUpper(name)] = append(props[strings.ToUpper(name)], ln[colon+1:])
	}
	return props
}

// isLullBlock reports whether a component is an event Lull published: its
// UID has BlockUIDPrefix and it carries X-LULL-BLOCK:1. Both are required,
// so an event a user happened to give a similar UID is never taken for
// Lull's.
func isLullBlock(p icsPart) bool {
	if p.comp != "VEVENT" {
		return false
	}
	props := icsProps(p.raw)
	uids := props["UID"]
	marks := props["X-LULL-BLOCK"]
	return len(uids) == 1 && strings.HasPrefix(strings.TrimSpace(uids[0]), BlockUIDPrefix) &&
		len(marks) > 0 && strings.TrimSpace(marks[0]) == "1"
}

// StripLullBlocks returns data without the events Lull published itself
// (see isLullBlock), so reading back a calendar Lull writes to never turns
// its own focus blocks into busy time. Data without such events is returned
// unchanged, byte for byte.
func StripLullBlocks(data []byte) []byte {
	if !bytes.Contains(bytes.ToUpper(data), []byte("X-LULL-BLOCK")) {
		return data
	}
	parts := icsSplit(data)
	kept := parts[:0]
	dropped := false
	for _, p := range parts {
		if isLullBlock(p) {
			dropped = true
			continue
		}
		kept = append(kept, p)
	}
	if !dropped {
		return data
	}
	return icsJoin(kept)
}

// icsJoin wraps parts in one VCALENDAR, adding VERSION and PRODID when the
// parts have none.
func icsJoin(parts []icsPart) []byte {
	var b bytes.Buffer
	b.WriteString("BEGIN:VCALENDAR\r\n")
	hasVersion, hasProdID := false, false
	for _, p := range parts {
		if p.comp == "" {
			up := strings.ToUpper(string(p.raw))
			hasVersion = hasVersion || strings.HasPrefix(up, "VERSION")
			hasProdID = hasProdID || strings.HasPrefix(up, "PRODID")
		}
	}
	if !hasVersion {
		b.WriteString("VERSION:2.0\r\n")
	}
	if !hasProdID {
		b.WriteString("PRODID:" + lullProdID + "\r\n")
	}
	// Calendar properties first (RFC 5545 puts them before components).
	for _, wantProps := range []bool{true, false} {
		for _, p := range parts {
			if (p.comp == "") != wantProps {
				continue
			}
			b.Write(p.raw)
			if n := len(p.raw); n > 0 && p.raw[n-1] != '\n' {
				b.WriteString("\r\n")
			}
		}
	}
	b.WriteString("END:VCALENDAR\r\n")
	return b.Bytes()
}

// mergeCalendarObjects joins several VCALENDAR objects (as a CalDAV
// calendar returns them, one per event) into one stream: the calendar
// properties of the first object (other than VERSION/PRODID duplicates),
// each VTIMEZONE once per TZID, and every other component as it was.
func mergeCalendarObjects(objects [][]byte) []byte {
	var parts []icsPart
	seenProp := map[string]bool{}
	seenTZ := map[string]bool{}
	for _, obj := range objects {
		for _, p := range icsSplit(obj) {
			switch p.comp {
			case "":
				name := strings.ToUpper(string(p.raw))
				if i := strings.IndexAny(name, ":;"); i >= 0 {
					name = name[:i]
				}
				if seenProp[name] {
					continue
				}
				seenProp[name] = true
			case "VTIMEZONE":
				tzid := ""
				if v := icsProps(p.raw)["TZID"]; len(v) > 0 {
					tzid = strings.TrimSpace(v[0])
				}
				if seenTZ[tzid] {
					continue
				}
				seenTZ[tzid] = true
			}
			parts = append(parts, p)
		}
	}
	return icsJoin(parts)
}

// sniffBytes is how much of an answer checkICalendar looks at: the first
// line of a calendar and the opening tags of a page fit in it many times.
const sniffBytes = 512

// calendarOrigin starts checkICalendar's message: where the data came
// from, as a person would say it.
type calendarOrigin string

// Where calendar data comes from.
const (
	fromAddress calendarOrigin = "the address returned"
	fromServer  calendarOrigin = "the server returned"
	fromFile    calendarOrigin = "the file holds"
)

// checkICalendar makes sure data is iCalendar before a source takes it as
// its new good copy: its first line (after a byte-order mark and blank
// lines) must be BEGIN:VCALENDAR, as RFC 5545 requires (or, from a file or
// an address, BEGIN:VEVENT: bare events, which Parse accepts). Otherwise it says
// in words what came instead, helped by the declared contentType ("" for
// files): a web page (typically a sign-in or error page behind an address
// that changed or expired), JSON, XML or nothing at all. The content
// decides, not the declared type: a calendar served as text/html is still
// a calendar, and a page served as text/calendar is still a page. from
// names the source in the message: fromAddress, fromServer or fromFile.
func checkICalendar(data []byte, contentType string, from calendarOrigin) error {
	body := bytes.TrimLeft(bytes.TrimPrefix(data, []byte("\uFEFF")), " \t\r\n")
	first := body[:min(len(body), sniffBytes)]
	if i := bytes.IndexByte(first, '\n'); i >= 0 {
		first = first[:i]
	}
	switch line := strings.ToUpper(strings.TrimSpace(string(first))); {
	case line == "BEGIN:VCALENDAR":
		return nil
	case line == "BEGIN:VEVENT" && from != fromServer:
		// Bare events, which Parse reads too; a CalDAV object must be a
		// whole VCALENDAR (RFC 4791), and merging would drop anything else.
		return nil
	}
	media, _, _ := mime.ParseMediaType(contentType)
	start := strings.ToLower(string(body[:min(len(body), sniffBytes)]))
	var what, hint string
	switch {
	case len(body) == 0:
		what = "nothing"
	case media == "text/html" || media == "application/xhtml+xml" ||
		strings.HasPrefix(start, "<!doctype html") || strings.HasPrefix(start, "<html") ||
		strings.HasPrefix(start, "<head") || strings.HasPrefix(start, "<body") ||
		strings.HasPrefix(start, "<!--") && strings.Contains(start, "<html"):
		what = "a web page"
		if from != fromFile {
			hint = " (often a sign-in or error page: check the address)"
		}
	case media == "application/json" || strings.HasSuffix(media, "+json") ||
		strings.HasPrefix(start, "{") || strings.HasPrefix(start, "["):
		what = "JSON data"
	case strings.HasSuffix(media, "/xml") || strings.HasSuffix(media, "+xml") || strings.HasPrefix(start, "<?xml"):
		what = "XML data"
	default:
		what, hint = "something else", " (a calendar starts with BEGIN:VCALENDAR)"
	}
	return fmt.Errorf("%s %s, %w%s", from, what, ErrSourceNotCalendar, hint)
}
