package calendar

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var updatePlanGolden = flag.Bool("update-plan-golden", false, "rewrite calendar/testdata/plan golden files")

// goldenPlan is a fixed plan: a default week in Berlin with a few meetings,
// one accepted, one skipped and one moved block.
func goldenPlan(t *testing.T) ([]Block, *time.Location) {
	t.Helper()
	loc := planLoc(t)
	s := DefaultPlanSettings()
	s.Zone = "Europe/Berlin"
	s.HorizonDays = 7
	s.Prefer = PreferMorning
	in := PlanInput{
		From:     planAt(loc, 0, 8, 0),
		Settings: s,
		Location: loc,
		Busy: []Interval{planSpan(loc, 0, 9, 0, 9, 30), planSpan(loc, 1, 10, 0, 11, 0), planSpan(loc, 2, 9, 0, 12, 0),
			planSpan(loc, 2, 14, 0, 16, 0), planSpan(loc, 3, 9, 0, 17, 0)},
		Existing: []Block{
			{ID: "lull-20261127T0800Z", Start: planAt(loc, 4, 9, 0), End: planAt(loc, 4, 11, 0), State: StateAccepted, Reason: "longest free morning gap on Fri"},
			{ID: "lull-20261124T0800Z", Start: planAt(loc, 1, 9, 0), End: planAt(loc, 1, 9, 50), State: StateSkipped, Reason: "only free 50 min on Tue morning"},
			{ID: "lull-20261125T0800Z", Start: planAt(loc, 2, 9, 0), End: planAt(loc, 2, 11, 0), State: StateAccepted, Reason: "longest free morning gap on Wed"},
		},
		OutOfOffice: []time.Time{planAt(loc, 3, 0, 0)},
	}
	bs := mustPlan(t, in)
	checkInvariants(t, in, bs)
	return bs, loc
}

func TestWritePlanGolden(t *testing.T) {
	bs, loc := goldenPlan(t)
	for _, format := range []string{FormatText, FormatTSV, FormatJSON} {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WritePlan(&buf, bs, nil, format, loc); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", "plan", "week."+format)
			if *updatePlanGolden {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -run TestWritePlanGolden -update-plan-golden ./calendar/ to create it)", err)
			}
			if got := buf.String(); got != string(want) {
				t.Errorf("%s output differs from %s:\n--- got\n%s--- want\n%s", format, path, got, want)
			}
		})
	}
}

func TestWritePlanJSONRoundTrip(t *testing.T) {
	bs, loc := goldenPlan(t)
	var buf bytes.Buffer
	if err := WritePlan(&buf, bs, nil, FormatJSON, loc); err != nil {
		t.Fatal(err)
	}
	var plan struct{ Blocks []Block }
	if err := json.Unmarshal(buf.Bytes(), &plan); err != nil {
		t.Fatal(err)
	}
	back := plan.Blocks
	if len(back) != len(bs) {
		t.Fatalf("%d blocks back, want %d", len(back), len(bs))
	}
	for i := range bs {
		if back[i].ID != bs[i].ID || !back[i].Start.Equal(bs[i].Start) || !back[i].End.Equal(bs[i].End) ||
			back[i].State != bs[i].State || back[i].Reason != bs[i].Reason {
			t.Errorf("block %d: %+v back as %+v", i, bs[i], back[i])
		}
	}
}

func TestWritePlanTSVFields(t *testing.T) {
	loc := planLoc(t)
	b := Block{ID: "lull-x", Start: planAt(loc, 0, 9, 0), End: planAt(loc, 0, 11, 0), State: StateProposed, Reason: "tab\there\nnewline"}
	var buf bytes.Buffer
	if err := WritePlan(&buf, []Block{b}, nil, FormatTSV, loc); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 2 || lines[0] != "start\tend\tstate\tid\treason" {
		t.Fatalf("want a header and one row, got %q", lines)
	}
	if f := strings.Split(lines[1], "\t"); len(f) != 5 || f[0] != "2026-11-23T09:00:00+01:00" || f[4] != "tab here newline" {
		t.Fatalf("row fields %q", f)
	}
}

func TestWritePlanEmptyAndUnknown(t *testing.T) {
	for format, want := range map[string]string{
		FormatText: "No focus blocks planned.\n",
		FormatTSV:  "start\tend\tstate\tid\treason\n",
		FormatJSON: "{\n  \"blocks\": [],\n  \"days\": []\n}\n",
	} {
		var buf bytes.Buffer
		if err := WritePlan(&buf, nil, nil, format, nil); err != nil || buf.String() != want {
			t.Errorf("%s of no blocks: %q, %v; want %q", format, buf.String(), err, want)
		}
	}
	if err := WritePlan(&bytes.Buffer{}, nil, nil, "xml", nil); !errors.Is(err, ErrUnknownFormat) {
		t.Fatalf("unknown format: %v, want ErrUnknownFormat", err)
	}
}

// TestWritePlanDayNotes: a day without focus is listed among the others
// with its reason in text, and in "days" in JSON.
func TestWritePlanDayNotes(t *testing.T) {
	loc := planLoc(t)
	blocks := []Block{
		{ID: "lull-a", Start: planAt(loc, 0, 9, 0), End: planAt(loc, 0, 11, 0), State: StateProposed, Reason: "longest free morning gap on Mon"},
		{ID: "lull-b", Start: planAt(loc, 2, 9, 0), End: planAt(loc, 2, 10, 0), State: StateAccepted, Reason: "only free 1 h on Wed"},
	}
	notes := []DayNote{{Date: planAt(loc, 1, 0, 0), Reason: "all-day 'Team offsite'"}, {Date: planAt(loc, 3, 0, 0), Reason: "out of office ('Vacation')"}}
	var buf bytes.Buffer
	if err := WritePlan(&buf, blocks, notes, FormatText, loc); err != nil {
		t.Fatal(err)
	}
	want := "Mon 23 Nov 2026\n  09:00–11:00  2 h  proposed  lull-a  longest free morning gap on Mon\n\n" +
		"Tue 24 Nov 2026\n  no focus: all-day 'Team offsite'\n\n" +
		"Wed 25 Nov 2026\n  09:00–10:00  1 h  accepted  lull-b  only free 1 h on Wed\n\n" +
		"Thu 26 Nov 2026\n  no focus: out of office ('Vacation')\n\n" +
		"Total: 3 h in 2 blocks (skipped not counted)\n"
	if buf.String() != want {
		t.Errorf("text:\n%s\nwant:\n%s", buf.String(), want)
	}
	buf.Reset()
	if err := WritePlan(&buf, nil, notes[:1], FormatText, loc); err != nil || buf.String() != "Tue 24 Nov 2026\n  no focus: all-day 'Team offsite'\n\nNo focus blocks planned.\n" {
		t.Errorf("text without blocks: %q %v", buf.String(), err)
	}
	buf.Reset()
	if err := WritePlan(&buf, blocks, notes, FormatJSON, loc); err != nil {
		t.Fatal(err)
	}
	var back struct {
		Blocks []Block
		Days   []DayNote
	}
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil || len(back.Blocks) != 2 || len(back.Days) != 2 ||
		back.Days[1].Reason != notes[1].Reason || !back.Days[1].Date.Equal(notes[1].Date) {
		t.Errorf("json: %s (%v)", buf.String(), err)
	}
}
