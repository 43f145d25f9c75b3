package calendar

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestStripLullBlocks(t *testing.T) {
	own := string(blockObjectICS(Block{ID: "a", Start: testNow, End: testNow.Add(time.Hour)}, testNow))
	ownEvent := own[strings.Index(own, "BEGIN:VEVENT"):strings.Index(own, "END:VCALENDAR")]
	foreignWithPrefix := "BEGIN:VEVENT\r\nUID:lull-block-zz\r\nSUMMARY:mine\r\nEND:VEVENT\r\n"
	foreignMarked := "BEGIN:VEVENT\r\nUID:other@x\r\nX-LULL-BLOCK:1\r\nSUMMARY:mine too\r\nEND:VEVENT\r\n"
	// A folded UID line and a nested VALARM in a Lull block are still Lull's.
	ownFolded := "BEGIN:VEVENT\r\nUID:lull-bl\r\n ock-b\r\nX-LULL-BLOCK:1\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\nEND:VALARM\r\nEND:VEVENT\r\n"
	in := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nX-WR-TIMEZONE:Europe/Berlin\r\n" +
		foreignWithPrefix + ownEvent + foreignMarked + ownFolded + "END:VCALENDAR\r\n"
	got := string(StripLullBlocks([]byte(in)))
	want := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nX-WR-TIMEZONE:Europe/Berlin\r\n" +
		foreignWithPrefix + foreignMarked + "END:VCALENDAR\r\n"
	if got != want {
		t.Fatalf("StripLullBlocks:\n%s\nwant:\n%s", got, want)
	}
	// Without Lull blocks: the very same bytes (LF endings, odd layout kept).
	plain := []byte("BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nUID:u\nX-LULL-BLOCK:0\nEND:VEVENT\nEND:VCALENDAR")
	if out := StripLullBlocks(plain); !bytes.Equal(out, plain) {
		t.Fatalf("unchanged calendar rewritten:\n%s", out)
	}
}

func TestMergeCalendarObjects(t *testing.T) {
	a := foreignEvent("a@x", "")
	b := strings.Replace(foreignEvent("b@x", ""), "PRODID:-//Other//EN\r\n", "PRODID:-//Other//EN\r\nX-WR-TIMEZONE:Europe/Berlin\r\n", 1)
	c := "BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nUID:c@x\nDTSTART:20261123T100000Z\nEND:VEVENT\nEND:VCALENDAR" // LF, no final newline
	got := string(mergeCalendarObjects([][]byte{[]byte(a), []byte(b), []byte(c)}))
	if strings.Count(got, "BEGIN:VCALENDAR") != 1 || strings.Count(got, "VERSION:") != 1 || strings.Count(got, "PRODID:") != 1 ||
		strings.Count(got, "BEGIN:VTIMEZONE") != 1 || strings.Count(got, "BEGIN:VEVENT") != 3 || !strings.HasSuffix(got, "END:VCALENDAR\r\n") {
		t.Fatalf("merged:\n%s", got)
	}
	// Calendar properties come before the first component.
	if strings.Index(got, "X-WR-TIMEZONE") > strings.Index(got, "BEGIN:VTIMEZONE") {
		t.Fatalf("calendar property after a component:\n%s", got)
	}
	for _, src := range []string{a, b} {
		ev := src[strings.Index(src, "BEGIN:VEVENT"):strings.Index(src, "END:VCALENDAR")]
		if !strings.Contains(got, ev) {
			t.Errorf("event not carried byte for byte: %q", ev)
		}
	}
	if !strings.Contains(got, "BEGIN:VEVENT\nUID:c@x\nDTSTART:20261123T100000Z\nEND:VEVENT\n") {
		t.Errorf("LF object not carried:\n%s", got)
	}
	if got := string(mergeCalendarObjects(nil)); got != "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:"+lullProdID+"\r\nEND:VCALENDAR\r\n" {
		t.Fatalf("empty merge = %q", got)
	}
}

func TestIsOwnObject(t *testing.T) {
	own := blockObjectICS(Block{ID: "a", Start: testNow, End: testNow.Add(time.Hour)}, testNow)
	tests := []struct {
		name string
		obj  string
		want bool
	}{
		{"own", string(own), true},
		{"wrong uid", strings.Replace(string(own), "lull-block-a", "lull-block-b", 1), false},
		{"no marker", strings.Replace(string(own), "X-LULL-BLOCK:1\r\n", "", 1), false},
		{"marker 0", strings.Replace(string(own), "X-LULL-BLOCK:1", "X-LULL-BLOCK:0", 1), false},
		{"extra foreign event", strings.Replace(string(own), "END:VCALENDAR", "BEGIN:VEVENT\r\nUID:x\r\nEND:VEVENT\r\nEND:VCALENDAR", 1), false},
		{"empty", "", false},
		{"html error page", "<html>404</html>", false},
	}
	for _, tt := range tests {
		if got := isOwnObject([]byte(tt.obj), "lull-block-a"); got != tt.want {
			t.Errorf("%s: isOwnObject = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// FuzzStripLullBlocks: never panics, is idempotent, and never drops an event
// that is not Lull's.
func FuzzStripLullBlocks(f *testing.F) {
	f.Add([]byte(foreignEvent("a@x", "")))
	f.Add(blockObjectICS(Block{ID: "a", Start: testNow, End: testNow.Add(time.Hour)}, testNow))
	f.Add([]byte("BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:lull-block-1\nX-LULL-BLOCK:1\nBEGIN:VEVENT\nEND:VCALENDAR"))
	f.Add([]byte("END:VEVENT\nEND:VCALENDAR\nX-LULL-BLOCK:1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		once := StripLullBlocks(data)
		twice := StripLullBlocks(once)
		if !bytes.Equal(once, twice) && bytes.Contains(bytes.ToUpper(once), []byte("X-LULL-BLOCK")) {
			// Idempotence holds for anything the first pass rewrote.
			if !bytes.Equal(StripLullBlocks(twice), twice) {
				t.Fatalf("not idempotent")
			}
		}
		before, after := 0, 0
		for _, p := range icsSplit(data) {
			if p.comp == "VEVENT" && !isLullBlock(p) {
				before++
			}
		}
		for _, p := range icsSplit(once) {
			if p.comp == "VEVENT" && !isLullBlock(p) {
				after++
			}
		}
		if after < before {
			t.Fatalf("dropped %d foreign events", before-after)
		}
	})
}
