package ics

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// goICalComponent reads block b the way Lull did before readComponent:
// go-ical's decoder over the block without its skipped lines, the result
// turned into a component.
func goICalComponent(b block) (*component, error) {
	var kept []line
	for _, l := range b.lines {
		if !l.skip {
			kept = append(kept, l)
		}
	}
	comp, err := decodeBlock(block{name: b.name, line: b.line, lines: kept})
	if err != nil {
		return nil, err
	}
	c := &component{}
	for name, props := range comp.Props {
		for _, pr := range props {
			cp := contentProp{name: name, value: pr.Value}
			for pn, vs := range pr.Params {
				cp.params = append(cp.params, param{name: pn, value: vs[0]})
			}
			c.props = append(c.props, cp)
		}
	}
	return c, nil
}

// propsOf describes a component's properties independently of the order
// of names and of repeated parameters: name → each value with its
// parameters (first value of each).
func propsOf(c *component) map[string][]string {
	out := map[string][]string{}
	for _, p := range c.props {
		var ps []string
		seen := map[string]bool{}
		for _, pa := range p.params {
			if !seen[pa.name] {
				seen[pa.name] = true
				ps = append(ps, pa.name+"="+pa.value)
			}
		}
		slices.Sort(ps)
		out[p.name] = append(out[p.name], fmt.Sprintf("%q %q", p.value, ps))
	}
	return out
}

// checkAgainstGoICal reads every VEVENT of data with readComponent and with
// go-ical and fails unless both accept it with the same properties and
// event, or both reject it.
func checkAgainstGoICal(t *testing.T, name string, data []byte) {
	t.Helper()
	text := normalizeText(string(data))
	if strings.TrimSpace(text) == "" {
		return
	}
	p := &parser{cal: &Calendar{Name: name}, zones: map[string]*time.Location{}}
	if p.split(text) != nil {
		return
	}
	var c component
	for _, b := range p.eventBlocks {
		b = b.unfold(nil)
		err := readComponent(b, &c)
		ref, refErr := goICalComponent(b)
		if (err == nil) != (refErr == nil) {
			t.Errorf("%s: line %d: readComponent: %v; go-ical: %v", name, b.line, err, refErr)
			continue
		}
		if err != nil {
			continue
		}
		if got, want := propsOf(&c), propsOf(ref); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: line %d: properties\n got %v\nwant %v", name, b.line, got, want)
			continue
		}
		var ev, refEv event
		err = p.buildEvent(&c, b.line, &ev)
		refErr = p.buildEvent(ref, b.line, &refEv)
		// go-ical does not say which line a property came from: compare
		// the errors without the property's line.
		if propLine.ReplaceAllString(fmt.Sprint(err), "") != fmt.Sprint(refErr) || !reflect.DeepEqual(ev, refEv) {
			t.Errorf("%s: line %d: event %+v, %v; from go-ical %+v, %v", name, b.line, ev, err, refEv, refErr)
		}
	}
}

// propLine is the line number buildEvent puts before a property's error.
var propLine = regexp.MustCompile(`line \d+: `)

// contentCases are content lines and nestings where a reader is easily
// wrong: parameters, quoting, case, stray BEGIN/END, CRs.
var contentCases = []string{
	"BEGIN:VEVENT\nUID:a\nDTSTART;TZID=Europe/Berlin:20240101T090000\nEND:VEVENT",
	"BEGIN:VEVENT\nUID:a\nDTSTART;TZID=\"Europe/Berlin\":20240101T090000\nEND:VEVENT",
	"BEGIN:VEVENT\nUID:a\nDTSTART;TZID=\"Europe/Berlin\"x:20240101T090000\nEND:VEVENT",
	"BEGIN:VEVENT\nUID:a\nDTSTART;TZID=\"Europe/Berlin:20240101T090000\nEND:VEVENT",
	"BEGIN:VEVENT\nUID:a\nDTSTART;TZID=Eur\"ope:20240101T090000\nEND:VEVENT",
	"BEGIN:VEVENT\nUID:a\nDTSTART;TZID:20240101T090000\nEND:VEVENT",
	"BEGIN:VEVENT\nUID:a\nDTSTART;=x:20240101T090000\nEND:VEVENT",
	"BEGIN:VEVENT\nUID:a\nDTSTART;TZID=a,b;TZID=c;value=DATE:20240101\nEND:VEVENT",
	"BEGIN:VEVENT\nUID:a\nDTSTART;X-A=\"1;2:3\",x;tzid=Europe/Berlin:20240101T090000\nEND:VEVENT",
	"BEGIN:VEVENT\nUID:a\nDTSTART;TZID=Europe/Berlin\nEND:VEVENT",
	"BEGIN:VEVENT\nUID:a\nDTSTART;TZID=,:20240101T090000\nEND:VEVENT",
	"BEGIN:VEVENT\nUID:a\nDTSTART;TZID=\"\":20240101T090000\nEND:VEVENT",
	"BEGIN:VEVENT\nUID:a\nDTSTART;X=1:2;TZID=Europe/Berlin:20240101T090000\nEND:VEVENT",
	"BEGIN:VEVENT\nuid:a\ndtstart:20240101T090000Z\nsummary:x;y\nend:vevent",
	"BEGIN:vevent\nUID:a\nDTSTART:20240101T090000Z\nEND:VEVENT",
	"BEGIN:VEVENT \nUID:a\nDTSTART:20240101T090000Z\nEND:VEVENT",
	"BEGIN:VEVENT\nUID:a\nDTSTART:20240101T090000Z\nEND:VEVENT ",
	"BEGIN :VEVENT\nUID:a\nDTSTART:20240101T090000Z\nEND:VEVENT",
	"BEGIN:VEVENT\nUID:a\nDTSTART :20240101T090000Z\nDTSTART:20240102T090000Z\nEND:VEVENT",
	"BEGIN:VEVENT\nUID:a\nDTSTART:20240101T090000Z\nBEGIN:VALARM\nSUMMARY:alarm\nTRIGGER:-PT5M\nEND:VALARM\nSUMMARY:event\nEND:VEVENT",
	"BEGIN:VEVENT\nUID:a\nDTSTART:20240101T090000Z\nBEGIN:VALARM\nEND:VEVENT",
	"BEGIN:VEVENT\nUID:a\nDTSTART:20240101T090000Z\nEND:VALARM\nEND:VEVENT",
	"BEGIN:VEVENT\nUID:a\nDTSTART:20240101T090000Z\nEND :VEVENT\nEND:VEVENT",
	"BEGIN:VEVENT\nUID:a\nDTSTART:20240101T090000Z\nBEGIN:VEVENT\nUID:b\nEND:VEVENT\nEND:VEVENT",
	"BEGIN:VEVENT\nUID:a\nDTSTART:20240101T090000Z\nEND:VCALENDAR\nEND:VEVENT",
	"BEGIN:VEVENT\nUID:a\nDTSTART:20240101T090000Z\nno colon here\nEND:VEVENT",
	"BEGIN:VEVENT\nUID:a\nDTSTART:20240101T090000Z\n:empty name\nEND:VEVENT",
	"BEGIN:VEVENT\nUID:a\nDTSTART:20240101T090000Z\nDESCRIPTION;X=\"unterminated:x\nEND:VEVENT",
	"BEGIN:VEVENT\r\nUID:a\r\r\nDTSTART:20240101T090000Z\r\nEND:VEVENT\r\n",
	"BEGIN:VEVENT\nUID:a\rb\nDTSTART:20240101T090000Z\nEND:VEVENT",
	"BEGIN:VEVENT\nUID:a\nDTSTART:20240101T090000Z\nATTENDEE;PARTSTAT=declined;CN=\"Me, Myself\":MAILTO:Me@x.org\nATTENDEE;partstat=ACCEPTED:mailto:b@x\nEND:VEVENT",
	"BEGIN:VEVENT\nUID:a\nDTSTART;VALUE=DATE:20240101\nEXDATE;VALUE=DATE:20240102,20240103\nEXDATE:20240104T000000Z\nRDATE;VALUE=PERIOD:20240105T090000Z/PT1H\nRRULE:FREQ=DAILY;COUNT=5\nRRULE:FREQ=WEEKLY\nEND:VEVENT",
	"BEGIN:VEVENT\nUID:a\nDTSTART:20240101T090000Z\nRECURRENCE-ID;RANGE=thisandfuture:20240101T090000Z\nSEQUENCE: 3\nTRANSP:transparent\nSTATUS:Cancelled\nX-MICROSOFT-CDO-INTENDEDSTATUS:oof\nEND:VEVENT",
	"BEGIN:VEVENT\nUID:a\nDTSTART:20240101T090000Z\nDESCRIPTION:not read;X=\"\nX-UNUSED;broken\nEND:VEVENT",
	" BEGIN:VEVENT\nUID:a\nDTSTART:20240101T090000Z\nEND:VEVENT",
}

// TestReadComponentMatchesGoICal: readComponent accepts, rejects and reads
// events exactly as go-ical's decoder did, on the corpus and on tricky
// content lines.
func TestReadComponentMatchesGoICal(t *testing.T) {
	eachCorpusInput(t, func(name string, data []byte) { checkAgainstGoICal(t, name, data) })
	for i, c := range contentCases {
		checkAgainstGoICal(t, fmt.Sprint("case ", i), []byte("BEGIN:VCALENDAR\n"+c+"\nEND:VCALENDAR\n"))
		checkAgainstGoICal(t, fmt.Sprint("bare case ", i), []byte(c))
	}
}

// FuzzReadComponent: readComponent and go-ical agree on any input.
func FuzzReadComponent(f *testing.F) {
	for _, c := range contentCases {
		f.Add([]byte("BEGIN:VCALENDAR\n" + c + "\nEND:VCALENDAR\n"))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkAgainstGoICal(t, "fuzz.ics", data)
	})
}

// eachCorpusInput calls check with every calendar of the corpus and every
// input the fuzz targets once found crashing (testdata/fuzz).
func eachCorpusInput(t *testing.T, check func(name string, data []byte)) {
	t.Helper()
	var files []string
	for _, dir := range corpusDirs {
		fs, _ := filepath.Glob(filepath.Join(dir.ics, "*.ics"))
		files = append(files, fs...)
	}
	if len(files) == 0 {
		t.Fatal("no calendars found")
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		check(f, data)
	}
	seeds, _ := filepath.Glob(filepath.Join("testdata", "fuzz", "*", "*"))
	for _, f := range seeds {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(string(data), "\n") {
			if q, ok := strings.CutPrefix(l, "[]byte("); ok {
				if v, err := strconv.Unquote(strings.TrimSuffix(q, ")")); err == nil {
					check(f, []byte(v))
				}
			}
		}
	}
}
