package calendar

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	ical "github.com/emersion/go-ical"

	"github.com/lullapp/lull/internal/clock"
)

var updateSourcesGolden = flag.Bool("update-sources-golden", false, "rewrite calendar/testdata/sources golden files")

func goldenBlocks() []Block {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	return []Block{
		// Out of order and in a zone: written sorted, in UTC.
		{ID: "2026-11-24-b", Start: time.Date(2026, 11, 24, 14, 0, 0, 0, berlin), End: time.Date(2026, 11, 24, 16, 0, 0, 0, berlin)},
		{ID: "2026-11-23-a", Start: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC), End: time.Date(2026, 11, 23, 11, 0, 0, 0, time.UTC)},
		// An ID with characters unsafe in a UID or file name.
		{ID: "x/y z", Start: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC), End: time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)},
	}
}

func TestWriteBlocksICSGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteBlocksICS(&buf, goldenBlocks(), testNow); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "sources", "blocks.golden.ics")
	if *updateSourcesGolden {
		os.WriteFile(golden, buf.Bytes(), 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Fatalf("WriteBlocksICS differs from %s (rerun with -update-sources-golden to accept):\n%s", golden, buf.String())
	}
}

// TestWriteBlocksICSRoundTrip decodes the output with go-ical and checks
// every property a calendar app relies on.
func TestWriteBlocksICSRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	blocks := goldenBlocks()
	if err := WriteBlocksICS(&buf, blocks, testNow); err != nil {
		t.Fatal(err)
	}
	cal, err := ical.NewDecoder(&buf).Decode()
	if err != nil {
		t.Fatalf("go-ical cannot decode the output: %v", err)
	}
	for _, p := range []string{ical.PropProductID, ical.PropVersion, ical.PropCalendarScale} {
		if cal.Props.Get(p) == nil {
			t.Errorf("calendar lacks %s", p)
		}
	}
	if v, _ := cal.Props.Text(ical.PropVersion); v != "2.0" {
		t.Errorf("VERSION = %q", v)
	}
	events := cal.Events()
	if len(events) != len(blocks) {
		t.Fatalf("%d events, want %d", len(events), len(blocks))
	}
	byUID := map[string]Block{}
	for _, b := range blocks {
		byUID[BlockUID(b.ID)] = b
	}
	for _, ev := range events {
		uid, _ := ev.Props.Text(ical.PropUID)
		b, ok := byUID[uid]
		if !ok || !strings.HasPrefix(uid, BlockUIDPrefix) {
			t.Fatalf("unexpected UID %q", uid)
		}
		start, err := ev.DateTimeStart(time.UTC)
		if err != nil || !start.Equal(b.Start) {
			t.Errorf("%s: DTSTART = %v, %v; want %v", uid, start, err, b.Start)
		}
		end, err := ev.DateTimeEnd(time.UTC)
		if err != nil || !end.Equal(b.End) {
			t.Errorf("%s: DTEND = %v, %v; want %v", uid, end, err, b.End)
		}
		stamp, err := ev.Props.DateTime(ical.PropDateTimeStamp, time.UTC)
		if err != nil || !stamp.Equal(testNow) {
			t.Errorf("%s: DTSTAMP = %v, %v", uid, stamp, err)
		}
		for prop, want := range map[string]string{ical.PropSummary: BlockSummary, ical.PropTransparency: "OPAQUE", "X-LULL-BLOCK": "1"} {
			if got := ev.Props.Get(prop); got == nil || got.Value != want {
				t.Errorf("%s: %s = %v, want %q", uid, prop, got, want)
			}
		}
		// No private details: nothing but the properties above.
		for name := range ev.Props {
			switch name {
			case ical.PropUID, ical.PropDateTimeStamp, ical.PropDateTimeStart, ical.PropDateTimeEnd,
				ical.PropSummary, ical.PropTransparency, "X-LULL-BLOCK":
			default:
				t.Errorf("%s: unexpected property %s", uid, name)
			}
		}
	}
	for id, want := range map[string]string{"x/y z": "lull-block-x_2Fy_20z", "x_y": "lull-block-x_5Fy", "a-1.b": "lull-block-a-1.b"} {
		if got := BlockUID(id); got != want {
			t.Errorf("UID of %q = %q, want %q", id, got, want)
		}
	}
}

func TestWriteBlocksICSRejectsEmptyBlock(t *testing.T) {
	b := Block{ID: "a", Start: testNow, End: testNow}
	if err := WriteBlocksICS(io.Discard, []Block{b}, testNow); err == nil {
		t.Fatal("a zero-length block was written")
	}
}

func TestExportBlocksICSAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "focus.ics")
	os.WriteFile(path, []byte("old"), 0o644)
	if err := ExportBlocksICS(path, goldenBlocks(), testNow); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	want, _ := os.ReadFile(filepath.Join("testdata", "sources", "blocks.golden.ics"))
	if !bytes.Equal(got, want) {
		t.Fatalf("exported file differs from the golden file:\n%s", got)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("temporary files left behind: %v", entries)
	}
	// A failed export leaves the previous file intact and no temp file.
	bad := []Block{{ID: "bad", Start: testNow, End: testNow.Add(-time.Hour)}}
	if err := ExportBlocksICS(path, bad, testNow); err == nil {
		t.Fatal("export of an invalid block succeeded")
	}
	if again, _ := os.ReadFile(path); !bytes.Equal(again, want) {
		t.Fatal("a failed export changed the file")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("a failed export left %v", entries)
	}
	if err := ExportBlocksICS(filepath.Join(dir, "missing", "x.ics"), nil, testNow); err == nil {
		t.Fatal("export into a missing directory succeeded")
	}
}

func TestFeedHandler(t *testing.T) {
	clk := clock.NewFake(testNow)
	var listErr error
	h := FeedHandler(func() ([]Block, error) { return goldenBlocks(), listErr }, clk)

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/v1/focus.ics?token=t", nil))
	want, _ := os.ReadFile(filepath.Join("testdata", "sources", "blocks.golden.ics"))
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/calendar") || !bytes.Equal(rec.Body.Bytes(), want) {
		t.Fatalf("GET: %d %q\n%s", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
	}

	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/v1/focus.ics", nil))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Fatalf("POST: %d", rec.Code)
	}

	listErr = errors.New("db path /home/u/.local/share/lull/lull.db locked")
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/v1/focus.ics", nil))
	if rec.Code != http.StatusInternalServerError || strings.Contains(rec.Body.String(), "/home/u") {
		t.Fatalf("list error: %d %q", rec.Code, rec.Body)
	}
}
