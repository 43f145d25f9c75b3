package focus

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name, rewriting it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run %s -update to create it)", err, t.Name())
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from golden file:\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// TestReportGolden writes the simulated week's report in every format and
// checks it against the golden files; the JSON and CSV are also parsed back
// so the golden files cannot drift into invalid data.
func TestReportGolden(t *testing.T) {
	e, clk, _, _ := simWeek(t)
	w, err := e.Config().ParseWeek("2026-W47", clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	r, err := e.Report(w)
	if err != nil {
		t.Fatal(err)
	}
	var js, cs, txt bytes.Buffer
	if err := WriteReportJSON(&js, r); err != nil {
		t.Fatal(err)
	}
	if err := WriteReportCSV(&cs, r); err != nil {
		t.Fatal(err)
	}
	if err := WriteReportText(&txt, r); err != nil {
		t.Fatal(err)
	}
	golden(t, "report_2026-W47.json", js.Bytes())
	golden(t, "report_2026-W47.csv", cs.Bytes())
	golden(t, "report_2026-W47.txt", txt.Bytes())

	var parsed struct {
		FocusHours    float64 `json:"focus_hours"`
		KeptHours     float64 `json:"kept_hours"`
		Interruptions []struct {
			Source string `json:"source"`
		} `json:"interruptions"`
		Days []struct{} `json:"days"`
	}
	if err := json.Unmarshal(js.Bytes(), &parsed); err != nil {
		t.Fatal(err)
	}
	if parsed.FocusHours != 11.17 || parsed.KeptHours != 7.25 || len(parsed.Days) != 7 || len(parsed.Interruptions) != 2 {
		t.Errorf("parsed JSON report: %+v", parsed)
	}
	rows, err := csv.NewReader(&cs).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 9 || rows[8][0] != "2026-W47" || rows[8][1] != "11.17" || rows[1][0] != "2026-11-16" || rows[1][1] != "2.42" {
		t.Errorf("parsed CSV report: %q", rows)
	}
}

// TestExportGolden exports every session as CSV and JSON.
func TestExportGolden(t *testing.T) {
	e, _, _, _ := simWeek(t)
	ss, err := e.Sessions(time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	loc := e.Config().Location
	var js, cs bytes.Buffer
	if err := WriteSessionsJSON(&js, ss, loc); err != nil {
		t.Fatal(err)
	}
	if err := WriteSessionsCSV(&cs, ss, loc); err != nil {
		t.Fatal(err)
	}
	golden(t, "sessions.json", js.Bytes())
	golden(t, "sessions.csv", cs.Bytes())

	rows, err := csv.NewReader(strings.NewReader(cs.String())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 8 || rows[4][7] != "stopped-early" || rows[4][5] != "4500" || rows[4][6] != "B3" {
		t.Errorf("parsed CSV export: %q", rows)
	}
	var parsed []sessionJSON
	if err := json.Unmarshal(js.Bytes(), &parsed); err != nil {
		t.Fatal(err)
	}
	if len(parsed) != 7 || len(parsed[0].Interruptions) != 1 || parsed[5].PlannedEnd != "" {
		t.Errorf("parsed JSON export: %+v", parsed)
	}

	// An export window selects only overlapping sessions.
	from := time.Date(2026, 11, 18, 0, 0, 0, 0, loc)
	mid, err := e.Sessions(from, from.AddDate(0, 0, 1))
	if err != nil || len(mid) != 1 || mid[0].BlockID != "B3" {
		t.Errorf("Sessions(Wed) = %+v %v, want the B3 session", mid, err)
	}
}
