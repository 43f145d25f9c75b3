package calendar

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// explainWeek returns settings for explaining a week in Berlin and a time
// on day d (0 = Monday 23 November 2026) at h:m there.
func explainWeek(t *testing.T) (PlanSettings, func(d, h, m int) time.Time) {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	s := DefaultPlanSettings()
	s.Zone = "Europe/Berlin"
	s.HorizonDays = 7
	return s, func(d, h, m int) time.Time { return time.Date(2026, 11, 23+d, h, m, 0, 0, loc) }
}

// TestExplainDays: each working day without focus gets the one reason that
// left it empty, in the user's terms; days with focus and days off get
// none.
func TestExplainDays(t *testing.T) {
	s, at := explainWeek(t)
	span := func(d, h1, m1, h2, m2 int) Interval { return Interval{at(d, h1, m1), at(d, h2, m2)} }
	cases := []struct {
		name   string
		change func(in *PlanInput, allDay *[]AllDayEvent)
		want   map[int]string // day → reason; other working days have focus
	}{
		{"meetings, out of office, all-day", func(in *PlanInput, allDay *[]AllDayEvent) {
			in.Busy = []Interval{span(0, 9, 0, 12, 30), span(0, 13, 0, 17, 0), span(2, 0, 0, 24, 0)}
			in.OutOfOffice = []time.Time{at(1, 0, 0)}
			*allDay = []AllDayEvent{
				{Summary: "Vacation", Start: at(1, 0, 0), End: at(2, 0, 0), OutOfOffice: true},
				{Summary: "Team offsite", Start: at(2, 0, 0), End: at(3, 0, 0)},
				{Summary: "Birthday", Start: at(2, 0, 0), End: at(3, 0, 0)},
			}
		}, map[int]string{
			0: "meetings leave no free hour",
			1: "out of office ('Vacation')",
			2: "all-day 'Team offsite' and 1 more",
		}},
		{"a timed out-of-office, an untitled all-day event, a 30 min minimum", func(in *PlanInput, allDay *[]AllDayEvent) {
			in.Settings.MinBlock = 30 * time.Minute
			in.OutOfOffice = []time.Time{at(3, 0, 0)}
			in.Busy = []Interval{span(0, 9, 0, 11, 5), span(0, 11, 30, 17, 0), span(1, 0, 0, 24, 0)}
			*allDay = []AllDayEvent{{Start: at(1, 0, 0), End: at(2, 0, 0)}}
		}, map[int]string{0: "meetings leave no free 30 min", 1: "all-day untitled event", 3: "out of office"}},
		{"today after hours", func(in *PlanInput, _ *[]AllDayEvent) {
			in.From = at(0, 16, 30)
		}, map[int]string{0: "already over"}},
		{"daily cap reached by accepted blocks that ended", func(in *PlanInput, _ *[]AllDayEvent) {
			in.From = at(0, 13, 30)
			in.Existing = []Block{{ID: "lull-a", Start: at(0, 9, 0), End: at(0, 13, 0), State: StateAccepted}}
		}, map[int]string{0: "daily cap reached by accepted blocks"}},
		{"free time only on deleted and skipped blocks", func(in *PlanInput, _ *[]AllDayEvent) {
			in.Busy = []Interval{span(0, 12, 0, 17, 0)}
			in.Tombstones = []Tombstone{{ID: "lull-t", Start: at(0, 9, 0), End: at(0, 10, 30)}}
			in.Existing = []Block{{ID: "lull-s", Start: at(0, 10, 40), End: at(0, 11, 50), State: StateSkipped}}
		}, map[int]string{0: "the free time is on skipped or deleted blocks"}},
		{"goal already met by focus done", func(in *PlanInput, _ *[]AllDayEvent) {
			in.FocusedThisWeek = 10 * time.Hour
		}, map[int]string{0: "weekly goal already reached", 1: "weekly goal already reached", 2: "weekly goal already reached", 3: "weekly goal already reached", 4: "weekly goal already reached"}},
	}
	for _, c := range cases {
		in := PlanInput{From: at(0, 8, 0), Settings: s, Location: at(0, 0, 0).Location()}
		var allDay []AllDayEvent
		c.change(&in, &allDay)
		blocks, err := Plan(in)
		if err != nil {
			t.Fatal(err)
		}
		got := map[int]string{}
		for _, n := range ExplainDays(in, blocks, allDay) {
			got[int(n.Date.Sub(at(0, 0, 0)).Hours()/24)] = n.Reason
			if h, m, s := n.Date.Clock(); h+m+s != 0 {
				t.Errorf("%s: note date %v is not a midnight", c.name, n.Date)
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("%s: notes %v, want %v", c.name, got, c.want)
		}
	}
}

// TestExplainDaysCoversEveryEmptyDay: on random weeks, every working day
// of the horizon has either a focus block or exactly one note, never both,
// and days off have none.
func TestExplainDaysCoversEveryEmptyDay(t *testing.T) {
	s, at := explainWeek(t)
	r := rand.New(rand.NewPCG(1, 2))
	reasons := []string{"already over", "out of office", "all-day ", "daily cap reached by accepted blocks", "meetings leave no free ",
		"the free time is on skipped or deleted blocks", "weekly goal already reached"}
	for run := range 300 {
		in := PlanInput{From: at(0, r.IntN(20), 5*r.IntN(12)), Settings: s, Location: at(0, 0, 0).Location()}
		in.Settings.HorizonDays = 1 + r.IntN(14)
		in.Settings.WeeklyGoal = time.Duration(1+r.IntN(20)) * time.Hour
		in.FocusedThisWeek = time.Duration(r.IntN(6)) * time.Hour
		var allDay []AllDayEvent
		for d := range in.Settings.HorizonDays {
			switch r.IntN(6) {
			case 0:
				in.OutOfOffice = append(in.OutOfOffice, at(d, 0, 0))
				allDay = append(allDay, AllDayEvent{Summary: "Away", Start: at(d, 0, 0), End: at(d+1, 0, 0), OutOfOffice: true})
			case 1:
				in.Busy = append(in.Busy, Interval{at(d, 0, 0), at(d+1, 0, 0)})
				allDay = append(allDay, AllDayEvent{Summary: "Offsite", Start: at(d, 0, 0), End: at(d+1, 0, 0)})
			}
			for range r.IntN(6) {
				h := 8 + r.IntN(9)
				in.Busy = append(in.Busy, Interval{at(d, h, 0), at(d, h, 15+15*r.IntN(8))})
			}
		}
		blocks, err := Plan(in)
		if err != nil {
			t.Fatal(err)
		}
		notes := ExplainDays(in, blocks, allDay)
		byDay := map[string]string{}
		for _, n := range notes {
			k := n.Date.Format(time.DateOnly)
			if _, dup := byDay[k]; dup {
				t.Fatalf("run %d: two notes on %s", run, k)
			}
			byDay[k] = n.Reason
			known := false
			for _, r := range reasons {
				known = known || strings.HasPrefix(n.Reason, r)
			}
			if !known {
				t.Errorf("run %d: unexpected reason %q", run, n.Reason)
			}
		}
		focus := map[string]bool{}
		for _, b := range blocks {
			if b.State != StateSkipped {
				focus[b.Start.In(in.Location).Format(time.DateOnly)] = true
			}
		}
		for d := range in.Settings.HorizonDays {
			day := at(d, 0, 0)
			k := day.Format(time.DateOnly)
			working := !in.Settings.Hours[day.Weekday()].Empty()
			_, noted := byDay[k]
			if working && focus[k] == noted || !working && noted {
				t.Errorf("run %d: %s working %v, focus %v, note %q", run, k, working, focus[k], byDay[k])
			}
		}
	}
}
