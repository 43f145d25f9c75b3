package coach

import (
	"bytes"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/lullapp/lull/calendar"
	"github.com/lullapp/lull/focus"
	"github.com/lullapp/lull/internal/settings"
	"github.com/lullapp/lull/internal/store"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// fixtureWeek is 2026-W49 (Mon 30 Nov – Sun 6 Dec 2026) in UTC.
func fixtureWeek(t testing.TB) (focus.Week, focus.Week) {
	t.Helper()
	cfg := focus.DefaultConfig(time.UTC)
	w, err := cfg.ParseWeek("2026-W49", time.Date(2026, 12, 20, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	return w, cfg.WeekOf(w.End)
}

func fixtureSettings() settings.Settings {
	st := settings.Default()
	st.Plan.Zone = "UTC"
	st.Plan.DailyCap = 8 * time.Hour
	st.UserAddresses = []string{"me@example.com"}
	st.VIP = []string{"Boss"}
	return st
}

// at is a time of the fixture week: day 0 is Monday.
func at(day, h, m int) time.Time { return time.Date(2026, 11, 30+day, h, m, 0, 0, time.UTC) }

// ledger builds focus sessions from interruptions given as "day hh:mm
// source repeat|urgent".
func ledger(lines ...string) []focus.Session {
	var s []focus.Session
	for i, l := range lines {
		var day, h, m int
		var src, why string
		fmt.Sscanf(l, "%d %d:%d %s %s", &day, &h, &m, &src, &why)
		reason := "urgent"
		if why == "repeat" {
			reason = fmt.Sprintf("3rd message from Alice in %s within 15 min", src)
		}
		s = append(s, focus.Session{ID: fmt.Sprint(i), Start: at(day, h, m).Add(-time.Minute), End: at(day, h, m).Add(time.Minute),
			Interruptions: []focus.Interruption{{Source: src, At: at(day, h, m), Reason: reason}}})
	}
	return s
}

// digests builds a week of three digests a day carrying source n
// notifications each, opened as opened says (one letter per digest).
func digests(source string, n int, opened string) []DigestSeen {
	var out []DigestSeen
	for i, c := range opened {
		day, slot := i/3, i%3
		h := []int{9, 12, 16}[slot]
		out = append(out, DigestSeen{At: at(day, h, 30), Opened: c == 'o', Sources: map[string]int{source: n}})
	}
	return out
}

func readICS(t testing.TB, name string, from, to time.Time, st settings.Settings) Busy {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	b, err := ReadCalendar(name, data, from, to, st.BusyOptions())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func input(t testing.TB, ics string, st settings.Settings) Input {
	w, next := fixtureWeek(t)
	in := Input{Week: w, Next: next, Settings: st}
	if ics != "" {
		this := readICS(t, ics, w.Start, w.End, st)
		nb := readICS(t, ics, next.Start, next.End, st)
		in.Meetings, in.NextMeetings, in.NextBusy, in.NextOutOfOffice = this.Meetings, nb.Meetings, nb.Other, nb.OutOfOffice
	}
	return in
}

func kinds(ss []Suggestion) map[Kind][]Suggestion {
	out := map[Kind][]Suggestion{}
	for _, s := range ss {
		out[s.Kind] = append(out[s.Kind], s)
	}
	return out
}

// repeatN returns n interruption lines of source at hour h on weekdays,
// the first r of them by repeat.
func repeatN(source string, n, r, h int) []string {
	var out []string
	for i := range n {
		why := "urgent"
		if i < r {
			why = "repeat"
		}
		out = append(out, fmt.Sprintf("%d %d:%02d %s %s", i%5, h, 5*(i/5), source, why))
	}
	return out
}

// TestFixtures: for every kind of suggestion a week that must produce it
// and one just short of a threshold that must not.
func TestFixtures(t *testing.T) {
	st := fixtureSettings()
	type check func(t *testing.T, got map[Kind][]Suggestion)
	has := func(k Kind, title, why string) check {
		return func(t *testing.T, got map[Kind][]Suggestion) {
			for _, s := range got[k] {
				if s.Title == title && strings.Contains(s.Why, why) {
					return
				}
			}
			t.Errorf("no %s %q (why containing %q) in %+v", k, title, why, got[k])
		}
	}
	none := func(k Kind) check {
		return func(t *testing.T, got map[Kind][]Suggestion) {
			if len(got[k]) > 0 {
				t.Errorf("unexpected %s: %+v", k, got[k])
			}
		}
	}
	tests := []struct {
		name   string
		ics    string
		st     settings.Settings
		ledger []string
		digest []DigestSeen
		checks []check
	}{
		{"hold: 9 breakthroughs, 7 by repeat", "", st, repeatN("Slack", 9, 7, 10), nil,
			[]check{has(KindHold, "Hold Slack except VIPs?", "broke through 9 times during focus this week, 7 of them")}},
		{"no hold: 8 breakthroughs, half by repeat", "", st, repeatN("Slack", 8, 4, 10), nil, []check{none(KindHold)}},
		{"no hold: 4 breakthroughs, all by repeat", "", st, repeatN("Slack", 4, 4, 10), nil, []check{none(KindHold)}},
		{"no hold for a VIP source", "", st, repeatN("boss", 9, 9, 10), nil, []check{none(KindHold)}},
		{"batch: 140 from CI, opened once a day", "", st, nil,
			append(digests("CI", 9, "o..o..o..o..o.."), DigestSeen{At: at(4, 17, 0), Sources: map[string]int{"CI": 5}}),
			[]check{has(KindBatch, "Batch CI to the 16:30 digest only?", "CI sent 140 notifications to your digests this week; you opened 5 of the 16 digests")}},
		{"no batch: opened 6 of 15", "", st, nil, digests("CI", 10, "o..o..o..o..oo."), []check{none(KindBatch)}},
		{"no batch: 45 notifications", "", st, nil, digests("CI", 3, "..............."), []check{none(KindBatch)}},
		{"plan time: 6 of 11 interruptions at 14:00", "", st,
			append(repeatN("Mail", 6, 0, 14), repeatN("Chat", 5, 0, 10)...), nil,
			[]check{has(KindPlanTime, "Plan focus in the morning?", "6 of this week's 11 interruptions during focus came between 14:00 and 15:00, in the afternoon")}},
		{"plan time: a morning hour suggests the afternoon", "", st,
			append(repeatN("Mail", 4, 0, 9), repeatN("Chat", 2, 0, 15)...), nil,
			[]check{has(KindPlanTime, "Plan focus in the afternoon?", "4 of this week's 6 interruptions")}},
		{"no plan time: 5 of 11 at 14:00", "", st,
			append(append(repeatN("Mail", 5, 0, 14), repeatN("Chat", 3, 0, 10)...), repeatN("Chat", 3, 0, 16)...), nil, []check{none(KindPlanTime)}},
		{"no plan time: 5 interruptions", "", st, repeatN("Mail", 5, 0, 14), nil, []check{none(KindPlanTime)}},
		{"meetings: load, costly recurring meetings, an async candidate", "week.ics", st, nil, nil, []check{
			has(KindMeetingLoad, "Meetings took 12 h 15 min of your working hours this week", "30 % of your 40 h"),
			has(KindMeetingCost, "'Weekly sync' costs you focus", "met 5 times and left 5 gaps shorter than your 1 h minimum block, 5 h in all"),
			has(KindMeetingCost, "'1:1 Alice' costs you focus", "left 2 gaps"),
			has(KindMeetingCost, "'Design review' costs you focus", "40 min in all"),
			has(KindMeetingAsync, "Could 'Weekly sync' be async?", "has 6 attendees, boss@example.com organizes it"),
		}},
		{"meetings just under every threshold", "quiet.ics", st, nil, nil,
			[]check{none(KindMeetingLoad), none(KindMeetingCost), none(KindMeetingAsync)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := input(t, tc.ics, tc.st)
			in.Sessions = ledger(tc.ledger...)
			in.Digests = tc.digest
			got := kinds(Analyze(in))
			for _, c := range tc.checks {
				c(t, got)
			}
		})
	}
}

// TestWhatIfUsesThePlanner: the gain a meeting item states is exactly what
// calendar.Plan places next week without that series, over what it places
// with it (the most focus the user's rules allow).
func TestWhatIfUsesThePlanner(t *testing.T) {
	st := fixtureSettings()
	in := input(t, "week.ics", st)
	var sync *Suggestion
	for _, s := range Analyze(in) {
		if s.Kind == KindMeetingAsync {
			sync = &s
		}
	}
	if sync == nil {
		t.Fatal("no async suggestion")
	}
	plan := func(skip string) time.Duration {
		p := st.Plan
		p.WeeklyGoal, p.HorizonDays = WhatIfGoal, 7
		busy := append([]calendar.Interval(nil), in.NextBusy...)
		for _, m := range in.NextMeetings {
			if !strings.HasSuffix(m.Series, "\x00"+skip) {
				busy = append(busy, calendar.Interval{Start: m.Start, End: m.End})
			}
		}
		blocks, err := calendar.Plan(calendar.PlanInput{From: in.Next.Start, Settings: p, Location: time.UTC, Busy: busy})
		if err != nil {
			t.Fatal(err)
		}
		var d time.Duration
		for _, b := range blocks {
			d += b.Duration()
		}
		return d
	}
	want := plan("sync") - plan("none")
	if want <= 0 || sync.WhatIf != want {
		t.Fatalf("WhatIf = %v, planner says %v", sync.WhatIf, want)
	}
	if !strings.Contains(sync.Why, "Without it you would have "+dur(want)+" more focus next week") {
		t.Fatalf("why = %q", sync.Why)
	}
}

// TestDeterministicOrder: Analyze gives the same suggestions in the same
// order whatever order its inputs come in.
func TestDeterministicOrder(t *testing.T) {
	st := fixtureSettings()
	base := input(t, "week.ics", st)
	base.Sessions = ledger(append(append(repeatN("Slack", 9, 7, 14), repeatN("Teams", 6, 6, 14)...), repeatN("Chat", 3, 0, 10)...)...)
	base.Digests = append(digests("CI", 10, "..............."), digests("Jira", 12, "o..............")...)
	want := Analyze(base)
	if len(want) < 6 {
		t.Fatalf("only %d suggestions: %+v", len(want), want)
	}
	r := rand.New(rand.NewPCG(3, 4))
	for range 50 {
		in := base
		in.Sessions = shuffled(r, base.Sessions)
		in.Digests = shuffled(r, base.Digests)
		in.Meetings = shuffled(r, base.Meetings)
		in.NextMeetings = shuffled(r, base.NextMeetings)
		if got := Analyze(in); !reflect.DeepEqual(got, want) {
			t.Fatalf("order changed:\n got %v\nwant %v", ids(got), ids(want))
		}
	}
}

func shuffled[T any](r *rand.Rand, s []T) []T {
	out := append([]T(nil), s...)
	r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

func ids(ss []Suggestion) []string {
	var out []string
	for _, s := range ss {
		out = append(out, s.ID)
	}
	return out
}

// TestIDsStableAcrossWeeks: a suggestion about the same source or series
// has the same ID in another week with other numbers.
func TestIDsStableAcrossWeeks(t *testing.T) {
	st := fixtureSettings()
	a := input(t, "", st)
	a.Sessions = ledger(repeatN("Slack", 9, 7, 10)...)
	b := input(t, "", st)
	b.Sessions = ledger(repeatN("slack", 12, 12, 15)...)
	ga, gb := kinds(Analyze(a))[KindHold], kinds(Analyze(b))[KindHold]
	if len(ga) != 1 || len(gb) != 1 || ga[0].ID != gb[0].ID || ga[0].Why == gb[0].Why {
		t.Fatalf("hold IDs %v / %v", ga, gb)
	}
}

// TestReviewAndStore: a dismissed suggestion stays dismissed (also after
// reopening the database), an applied one is shown with what it changed,
// and one the settings already satisfy is not shown.
func TestReviewAndStore(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lull.db")
	db, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s, err := OpenStore(db)
	if err != nil {
		t.Fatal(err)
	}
	st := fixtureSettings()
	in := input(t, "week.ics", st)
	in.Sessions = ledger(append(repeatN("Slack", 9, 7, 14), repeatN("Chat", 2, 0, 10)...)...)
	all := Analyze(in)
	byKind := kinds(all)
	hold, plan, async := byKind[KindHold][0], byKind[KindPlanTime][0], byKind[KindMeetingAsync][0]
	changed := hold.Action.Apply(&in.Settings)
	if !reflect.DeepEqual(in.Settings.Hold, []string{"Slack"}) || changed != "added Slack to the held sources: it breaks through only for VIPs" {
		t.Fatalf("apply: hold %v, changed %q", in.Settings.Hold, changed)
	}
	if err := s.Put(hold.ID, Record{State: StateApplied, Changed: changed}); err != nil {
		t.Fatal(err)
	}
	if err := s.Put(async.ID, Record{State: StateDismissed}); err != nil {
		t.Fatal(err)
	}
	in.Settings.Plan.Prefer = "morning" // done by hand
	db.Close()
	if db, err = store.Open(path, store.Options{}); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if s, err = OpenStore(db); err != nil {
		t.Fatal(err)
	}
	recs, err := s.Records()
	if err != nil {
		t.Fatal(err)
	}
	items := Review(in, recs)
	seen := map[string]Item{}
	for _, it := range items {
		seen[it.ID] = it
	}
	if it, ok := seen[hold.ID]; !ok || it.State != StateApplied || it.Changed != changed {
		t.Errorf("applied hold shown as %+v", it)
	}
	if _, ok := seen[async.ID]; ok {
		t.Errorf("dismissed async shown")
	}
	if _, ok := seen[plan.ID]; ok {
		t.Errorf("plan-time shown though the settings prefer the morning already")
	}
	if len(items) != len(all)-2 {
		t.Errorf("%d items of %d suggestions", len(items), len(all))
	}
}

// TestHasAgenda: links and join boilerplate are no agenda.
func TestHasAgenda(t *testing.T) {
	for desc, want := range map[string]bool{
		"": false,
		"Join Zoom Meeting\nhttps://zoom.us/j/1\nMeeting ID: 1 2 3\nPasscode: 9": false,
		"https://meet.google.com/abc-defg-hij":                                   false,
		"Agenda: roadmap, hiring plan, risks\nhttps://zoom.us/j/1":               true,
		"1. Status of the migration\n2. Budget for Q1":                           true,
		"Weekly status": false,
		"________________\nMicrosoft Teams meeting\nJoin on your computer or mobile": false,
	} {
		if got := hasAgenda(desc); got != want {
			t.Errorf("hasAgenda(%q) = %v, want %v", desc, got, want)
		}
	}
}

// TestGolden: the text `lull coach` prints for the fixture week.
func TestGolden(t *testing.T) {
	st := fixtureSettings()
	in := input(t, "week.ics", st)
	in.Sessions = ledger(append(repeatN("Slack", 9, 7, 14), repeatN("Chat", 2, 0, 10)...)...)
	in.Digests = append(digests("CI", 9, "o..o..o..o..o.."), DigestSeen{At: at(4, 17, 0), Sources: map[string]int{"CI": 5}})
	items := Review(in, map[string]Record{ID(KindPlanTime, "morning"): {State: StateApplied, Changed: "preferred time of day changed from any to morning; the plan follows"}})
	var buf bytes.Buffer
	if err := WriteText(&buf, in.Week, items); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "coach.golden")
	if *update {
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if buf.String() != string(want) {
		t.Fatalf("got:\n%s\nwant:\n%s", buf.String(), want)
	}
}
