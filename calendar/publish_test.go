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
	// An older export of Lull's, left 0644 by an earlier version: replaced,
	// and 0600 from now on.
	if err := ExportBlocksICS(path, goldenBlocks()[:1], testNow); err != nil {
		t.Fatal(err)
	}
	os.Chmod(path, 0o644)
	if err := ExportBlocksICS(path, goldenBlocks(), testNow); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("the rewritten export has mode %v, want 0600", fi.Mode().Perm())
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

// TestExportBlocksICSRefuses: the export never replaces a file Lull did
// not write, and takes only full paths to .ics files. Each refused file is
// left exactly as it was, mode included.
func TestExportBlocksICSRefuses(t *testing.T) {
	dir := t.TempDir()
	lullExport := filepath.Join(dir, "lull.ics")
	if err := ExportBlocksICS(lullExport, goldenBlocks(), testNow); err != nil {
		t.Fatal(err)
	}
	own, _ := os.ReadFile(lullExport)
	foreignEvent := "BEGIN:VEVENT\r\nUID:meeting@example.com\r\nDTSTART:20261123T100000Z\r\nDTEND:20261123T110000Z\r\nSUMMARY:Board\r\nEND:VEVENT\r\n"
	files := map[string]string{
		"notes.ics":    "my private notes\n",
		"other.ics":    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Other//EN\r\n" + foreignEvent + "END:VCALENDAR\r\n",
		"mixed.ics":    strings.Replace(string(own), "END:VCALENDAR", strings.TrimSuffix(foreignEvent, "\r\n")+"\r\nEND:VCALENDAR", 1),
		"fakeprod.ics": "BEGIN:VCALENDAR\r\nPRODID:" + lullProdID + "\r\n" + foreignEvent + "END:VCALENDAR\r\n",
		"empty.ics":    "",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(lullExport, filepath.Join(dir, "link.ics")); err != nil {
		t.Fatal(err)
	}
	os.Mkdir(filepath.Join(dir, "folder.ics"), 0o700)
	for _, tc := range []struct{ path, says string }{
		{"focus.ics", "not a full path"},
		{"./focus.ics", "not a full path"},
		{"", "no file given"},
		{filepath.Join(dir, "focus.txt"), "not a .ics file"},
		{filepath.Join(dir, "focus"), "not a .ics file"},
		{filepath.Join(dir, "notes.ics"), "not a calendar Lull wrote"},
		{filepath.Join(dir, "other.ics"), "not a calendar Lull wrote"},
		{filepath.Join(dir, "mixed.ics"), "not a calendar Lull wrote"},
		{filepath.Join(dir, "fakeprod.ics"), "not a calendar Lull wrote"},
		{filepath.Join(dir, "empty.ics"), "not a calendar Lull wrote"},
		{filepath.Join(dir, "link.ics"), "not a plain file"},
		{filepath.Join(dir, "folder.ics"), "is a folder"},
		{filepath.Join(dir, "missing", "focus.ics"), "does not exist"},
	} {
		var before []byte
		var beforeMode os.FileMode
		if fi, err := os.Lstat(tc.path); err == nil {
			beforeMode = fi.Mode()
			before, _ = os.ReadFile(tc.path)
		}
		err := ExportBlocksICS(tc.path, goldenBlocks(), testNow)
		if !errors.Is(err, ErrBadExportPath) || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("export to %q: err = %v, want ErrBadExportPath saying %q", tc.path, err, tc.says)
		}
		if !strings.Contains(err.Error(), "e.g. ") && !strings.Contains(err.Error(), "choose a new file name") && !strings.Contains(err.Error(), "does not exist") {
			t.Errorf("export to %q: %v does not say what to do", tc.path, err)
		}
		if fi, lerr := os.Lstat(tc.path); lerr == nil {
			after, _ := os.ReadFile(tc.path)
			if !bytes.Equal(after, before) || fi.Mode() != beforeMode {
				t.Errorf("refused export to %q changed the file (mode %v → %v)", tc.path, beforeMode, fi.Mode())
			}
		}
		if err := CheckExportPath(tc.path); !errors.Is(err, ErrBadExportPath) && tc.says != "does not exist" {
			t.Errorf("CheckExportPath(%q) = %v, want the same refusal", tc.path, err)
		}
	}
	// Lull's own export, and a new file, are fine.
	for _, ok := range []string{lullExport, filepath.Join(dir, "new.ICS")} {
		if err := CheckExportPath(ok); err != nil {
			t.Errorf("CheckExportPath(%q) = %v", ok, err)
		}
	}
	// An export with no blocks at all is still Lull's.
	empty := filepath.Join(dir, "none.ics")
	if err := ExportBlocksICS(empty, nil, testNow); err != nil {
		t.Fatal(err)
	}
	if err := ExportBlocksICS(empty, goldenBlocks(), testNow); err != nil {
		t.Fatalf("rewriting Lull's empty export: %v", err)
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
