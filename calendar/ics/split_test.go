package ics

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// splitLines is split as first written: a walk over the unfolded lines of
// the whole text (unfoldOneByOne), each component given the lines it
// spans. split must cut the same components with the same lines.
func splitLines(p *parser, lines []line) error {
	var calProps []line
	sawCalendar := false
	inCal := false
	openCal := 0 // line of an unended BEGIN:VCALENDAR
	var dmg damage
	var cur *block
	curStart := 0
	var stack []string // open components inside cur, cur's own name first
	for i, l := range lines {
		name, value, ok := cutProp(l.text)
		lines[i].skip = ok && !usedProp(name)
		if damaged(cur != nil, inCal, l.text, name, ok) {
			dmg.line(int(l.no))
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
					openCal = int(l.no)
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
				cur = &block{name: v, line: int(l.no)}
				curStart = i
				stack = stack[:0]
			}
			stack = append(stack, v)
		case ok && name == "END":
			if cur == nil {
				if v == "VCALENDAR" {
					inCal, openCal = false, 0
				} else if v == "VEVENT" {
					p.problem(int(l.no), "", errors.New("END:VEVENT without its BEGIN: an event is damaged and was not read"))
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
				cur.lines = lines[curStart : i+1 : i+1]
				p.keep(*cur)
				cur = nil
			}
		default:
			if cur == nil && inCal {
				calProps = append(calProps, l)
			}
		}
	}
	if cur != nil {
		if len(stack) == 1 && stack[0] == cur.name {
			// Only the final END is missing (truncated download): keep it.
			cur.lines = append(slices.Clone(lines[curStart:]), line{no: lines[len(lines)-1].no, text: "END:" + cur.name})
			p.keep(*cur)
			p.problem(cur.line, "", fmt.Errorf("the file ends inside this %s (truncated?): what it holds was read", cur.name))
		} else {
			p.problem(cur.line, "", fmt.Errorf("component %s not terminated", cur.name))
		}
	} else if openCal > 0 {
		p.problem(openCal, "", errors.New("END:VCALENDAR missing: the file may be truncated"))
	}
	if !sawCalendar {
		return fmt.Errorf("%w: no BEGIN:VCALENDAR", ErrNotICalendar)
	}
	for _, l := range calProps {
		if name, value, ok := cutProp(l.text); ok && name == "X-WR-TIMEZONE" {
			if loc := lookupZone(strings.TrimSpace(value)); loc != nil {
				p.cal.wrZone = loc
			}
		}
	}
	if dmg.n > 0 {
		if len(p.eventBlocks) == 0 && len(p.tzBlocks) == 0 {
			return fmt.Errorf("%w: no event, and %s (the first at line %d)", ErrNotICalendar, dmg, dmg.first)
		}
		p.problem(dmg.first, "", fmt.Errorf("%s, the first here: the file may be damaged", dmg))
	}
	return nil
}

// splitCases are nestings, truncations and foldings split must get right.
var splitCases = []string{
	"BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\nEND:VEVENT\nEND:VCALENDAR",
	"BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\nBEGIN:VALARM\nEND:VALARM\nEND:VEVENT\nBEGIN:VTODO\nEND:VTODO\nEND:VCALENDAR",
	"BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\nBEGIN:VEVENT\nUID:b\nEND:VEVENT\nEND:VCALENDAR",
	"BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\nEND:VCALENDAR\nBEGIN:VEVENT\nUID:b\nEND:VEVENT",
	"BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\nEND:VALARM\nDTSTART:20240101\n",
	"BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\nBEGIN:VALARM\nDTSTART:20240101\n",
	"BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\r\n\r\nEND:VEVENT\r\n\r\n \r\n continued\r\nBEGIN:VEVENT\nEND:VEVENT",
	"BEGIN:VCALENDAR\nBEG\n IN:VEVENT\nUID:a\nEN\n D:VEV\n\n ENT\nEND:VCALENDAR",
	"BEGIN:VCALENDAR\nbegin:vevent\nUID:a\n end:vevent\nend : vevent \nEND:VCALENDAR",
	" BEGIN:VEVENT\nUID:a\nEND:VEVENT",
	" \n BEGIN:VCALENDAR\n X\nBEGIN:VEVENT\nEND:VEVENT",
	"\n\nBEGIN:VEVENT\nUID:a\nEND:VEVENT\n\n\n",
	"BEGIN:VCALENDAR\nX-WR-TIMEZONE:Europe/\n Berlin\nBEGIN:VEVENT\nX-WR-TIMEZONE:America/New_York\nEND:VEVENT\nX-WR-TIMEZONE:Nowhere\nEND:VCALENDAR",
	"BEGIN:VCALENDAR\nBEGIN;X=\"a:b\":VEVENT\nUID:a\nEND;X=1:VEVENT\nEND:VCALENDAR",
	"BEGIN:VCALENDAR\nBEGIN;X=\"a:VEVENT\nUID:a\nEND:VEVENT\nEND:VCALENDAR",
	"BEGIN:VCALENDAR\nBEGIN:VEVENT\n\vEND:VEVENT\nEND:VEVENT\n\u00a0BEGIN:VEVENT\nEND:VEVENT\nEND:VCALENDAR",
	"BEGIN:VCALENDAR\nBEGIN:VTIMEZONE\nTZID:X\nBEGIN:STANDARD\nEND:STANDARD\nEND:VTIMEZONE\nBEGIN:VEVENT\n\tcont\nEND:VEVENT\t\n",
	"BEGIN:VEVENT\nUID:a\nEND:VEVENT\nEND:VCALENDAR\nBEGIN:VEVENT\nUID:b\nEND:VEVENT",
	"BEGIN:VCALENDAR\rBEGIN:VEVENT\rUID:a\rEND:VEVENT\rEND:VCALENDAR\r",
	"<html>\nBEGIN:VTODO\nEND:VTODO\n",
	"",
}

// checkSplit fails unless split cuts data as splitLines does.
func checkSplit(t *testing.T, name string, data []byte) {
	t.Helper()
	text := normalizeText(string(data))
	if strings.TrimSpace(text) == "" {
		return
	}
	got := &parser{cal: &Calendar{Name: name}}
	want := &parser{cal: &Calendar{Name: name}}
	gotErr := got.split(text)
	wantErr := splitLines(want, unfoldOneByOne(text))
	if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
		t.Fatalf("%s: split error %v, want %v", name, gotErr, wantErr)
	}
	if fmt.Sprint(got.cal.Problems) != fmt.Sprint(want.cal.Problems) || fmt.Sprint(got.cal.wrZone) != fmt.Sprint(want.cal.wrZone) {
		t.Errorf("%s: problems %v, zone %v; want %v, %v", name, got.cal.Problems, got.cal.wrZone, want.cal.Problems, want.cal.wrZone)
	}
	for _, kind := range []struct {
		name      string
		got, want []block
	}{{"VEVENT", got.eventBlocks, want.eventBlocks}, {"VTIMEZONE", got.tzBlocks, want.tzBlocks}} {
		if len(kind.got) != len(kind.want) {
			t.Errorf("%s: %d %s blocks, want %d", name, len(kind.got), kind.name, len(kind.want))
			continue
		}
		for i, b := range kind.got {
			w := kind.want[i]
			for j := range w.lines {
				n, _, ok := cutProp(w.lines[j].text)
				w.lines[j].skip = ok && !usedProp(n)
			}
			b = b.unfold(nil)
			if b.name != w.name || b.line != w.line || !slices.Equal(b.lines, w.lines) {
				t.Errorf("%s: %s block %d:\n got %s %d %+v\nwant %s %d %+v", name, kind.name, i, b.name, b.line, b.lines, w.name, w.line, w.lines)
			}
		}
	}
}

// TestSplit: split cuts components as a walk over all unfolded lines did,
// on the corpus, the fuzz seeds and odd nestings and foldings.
func TestSplit(t *testing.T) {
	eachCorpusInput(t, func(name string, data []byte) { checkSplit(t, name, data) })
	for i, c := range splitCases {
		checkSplit(t, fmt.Sprint("case ", i), []byte(c))
	}
	for i, c := range contentCases {
		checkSplit(t, fmt.Sprint("content case ", i), []byte("BEGIN:VCALENDAR\n"+c+"\nEND:VCALENDAR\n"))
	}
}

// FuzzSplit: split and splitLines agree on any input.
func FuzzSplit(f *testing.F) {
	for _, c := range splitCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkSplit(t, "fuzz.ics", data)
	})
}
