package service

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/lullapp/lull/calendar"
	"github.com/lullapp/lull/internal/clock"
	"github.com/lullapp/lull/internal/fake"
	"github.com/lullapp/lull/internal/human"
	"github.com/lullapp/lull/internal/settings"
	"github.com/lullapp/lull/notify"
)

// liveICS is a week with a daily stand-up and, on Monday, a meeting the
// user declined (busy until their address is known).
const liveICS = `BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Lull//test//EN
BEGIN:VEVENT
UID:standup@test
DTSTAMP:20260101T000000Z
DTSTART;TZID=Europe/Berlin:20260105T093000
DTEND;TZID=Europe/Berlin:20260105T094500
RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR
SUMMARY:Stand-up
END:VEVENT
BEGIN:VEVENT
UID:declined@test
DTSTAMP:20260101T000000Z
DTSTART;TZID=Europe/Berlin:20260105T130000
DTEND;TZID=Europe/Berlin:20260105T140000
SUMMARY:Vendor pitch
ORGANIZER:mailto:vendor@example.com
ATTENDEE;PARTSTAT=DECLINED:mailto:me@example.com
END:VEVENT
END:VCALENDAR
`

// recordingDND is a do-not-disturb adapter that logs what it is asked.
type recordingDND struct {
	name string
	log  *callLog
}

func (d recordingDND) Name() string { return d.name }
func (d recordingDND) Enter() error { d.log.add("enter " + d.name); return nil }
func (d recordingDND) Leave() error { d.log.add("leave " + d.name); return nil }

type callLog struct {
	mu    sync.Mutex
	calls []string
}

func (l *callLog) add(s string) { l.mu.Lock(); l.calls = append(l.calls, s); l.mu.Unlock() }
func (l *callLog) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.calls...)
}

// liveRig is a running service with a calendar, a recording DND and a fake
// capture.
type liveRig struct {
	svc     *Service
	clk     *clock.Fake
	sent    *fake.Sender[notify.Message]
	dnd     *callLog
	capture *callLog
	dir     string

	mu     sync.Mutex
	events []Event
}

func startLive(t *testing.T) *liveRig {
	t.Helper()
	keyring.MockInit()
	dir := t.TempDir()
	d, err := OpenData(DataOptions{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	st := d.Settings()
	st.Plan.Zone = "Europe/Berlin"
	if err := d.SaveSettings(st); err != nil {
		t.Fatal(err)
	}
	d.Close()
	ics := filepath.Join(t.TempDir(), "week.ics")
	if err := os.WriteFile(ics, []byte(liveICS), 0o600); err != nil {
		t.Fatal(err)
	}
	r := &liveRig{clk: clock.NewFake(monday), sent: &fake.Sender[notify.Message]{}, dnd: &callLog{}, capture: &callLog{}, dir: dir}
	r.svc, err = Start(context.Background(), Options{
		DataOptions: DataOptions{Dir: dir, Clock: r.clk},
		Version:     "test",
		Sender:      r.sent,
		MakeDND:     func(setting string) notify.DND { return recordingDND{setting, r.dnd} },
		Capture: func(ctx context.Context, sub notify.Submitter) error {
			r.capture.add("start")
			context.AfterFunc(ctx, func() { r.capture.add("stop") })
			return nil
		},
		TokenKeyring: &fake.Keyring{},
		NoAPI:        true,
		SyncInterval: -1,
		Logf:         t.Logf,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.svc.Close() })
	r.svc.Subscribe(func(e Event) { r.mu.Lock(); r.events = append(r.events, e); r.mu.Unlock() })
	if _, err := r.svc.AddSource(context.Background(), AddSource{Kind: calendar.SourceFile, Path: ics, Name: "Work"}); err != nil {
		t.Fatal(err)
	}
	r.waitFor(t, PlanChanged) // the sync AddSource started in the background
	return r
}

// waitFor waits until an event of kind has been seen since the last reset.
func (r *liveRig) waitFor(t *testing.T, kind EventKind) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if len(r.saw(kind)) > 0 {
			return
		}
	}
	t.Fatalf("no event %d within 30 s", kind)
}

// save stores st through the service, as the window, `lull settings set`
// and PUT /v1/settings do, and waits for the re-plan it starts.
func (r *liveRig) save(t *testing.T, change func(*Settings)) {
	t.Helper()
	st := r.svc.Settings()
	change(&st)
	r.mu.Lock()
	r.events = nil
	r.mu.Unlock()
	if err := r.svc.SaveSettings(st); err != nil {
		t.Fatal(err)
	}
	r.waitFor(t, PlanChanged) // the re-plan SaveSettings started
}

func (r *liveRig) saw(kind EventKind) []Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []Event
	for _, e := range r.events {
		if e.Kind == kind {
			out = append(out, e)
		}
	}
	return out
}

func (r *liveRig) blocks(t *testing.T) []calendar.Block {
	t.Helper()
	bs, err := r.svc.UpcomingBlocks()
	if err != nil {
		t.Fatal(err)
	}
	if len(bs) == 0 {
		t.Fatal("no blocks planned")
	}
	return bs
}

func (r *liveRig) submit(t *testing.T, n notify.Notification) notify.Result {
	t.Helper()
	res, err := r.svc.Submitter().Submit(context.Background(), []notify.Notification{n})
	if err != nil {
		t.Fatal(err)
	}
	return res[0]
}

func desk(app, title string) notify.Notification {
	return notify.Notification{Source: app, App: app, Title: title, Priority: notify.PriorityNormal, Origin: notify.OriginDesktop, Urgency: notify.UrgencyNormal}
}

func fromAPI(source, title string) notify.Notification {
	return notify.Notification{Source: source, Title: title, Priority: notify.PriorityNormal, Origin: notify.OriginAPI}
}

// liveChecks says, for every user setting, how to change it on a running
// service and how to see that the change took effect at once. Keys are the
// field paths of Settings; TestEverySettingAppliesAtOnce fails for a field
// that has none, so a new setting cannot be added without live-apply.
var liveChecks = map[string]struct {
	change func(*Settings)
	check  func(t *testing.T, r *liveRig)
}{
	"Plan.WeeklyGoal": {func(s *Settings) { s.Plan.WeeklyGoal = 3 * time.Hour }, func(t *testing.T, r *liveRig) {
		if g := r.svc.Status().WeeklyGoal; g != 3*time.Hour || r.svc.Focus.Config().WeeklyGoal != 3*time.Hour {
			t.Fatalf("goal %v, engine %v", g, r.svc.Focus.Config().WeeklyGoal)
		}
	}},
	"Plan.Hours": {func(s *Settings) {
		s.Plan.Hours[time.Monday], s.Plan.Hours[time.Tuesday] = calendar.Span{}, calendar.Span{}
	}, func(t *testing.T, r *liveRig) {
		for _, b := range r.blocks(t) {
			if wd := b.Start.In(berlin).Weekday(); wd == time.Monday || wd == time.Tuesday {
				t.Fatalf("block %v on a day off", b.Start)
			}
		}
		if wh := r.svc.Data.Settings().WorkingHours(monday.Add(3 * time.Hour)); len(wh) != 0 {
			t.Fatalf("Monday still has working hours %v", wh)
		}
	}},
	"Plan.Zone": {func(s *Settings) { s.Plan.Zone = "America/New_York" }, func(t *testing.T, r *liveRig) {
		ny, _ := time.LoadLocation("America/New_York")
		if next := r.svc.Notify.NextDigest(r.clk.Now()); !next.Equal(time.Date(2026, 1, 5, 9, 0, 0, 0, ny)) {
			t.Fatalf("next digest %v, want 09:00 in New York", next)
		}
		if loc := r.svc.Focus.Config().Location; loc.String() != "America/New_York" {
			t.Fatalf("focus zone %v", loc)
		}
	}},
	"Plan.PreferredBlock": {func(s *Settings) { s.Plan.PreferredBlock = time.Hour }, func(t *testing.T, r *liveRig) {
		for _, b := range r.blocks(t) {
			if b.Duration() > time.Hour {
				t.Fatalf("block of %v, longer than the preferred hour", b.Duration())
			}
		}
	}},
	"Plan.MinBlock": {func(s *Settings) { s.Plan.MinBlock, s.Plan.PreferredBlock = 90*time.Minute, 90*time.Minute }, func(t *testing.T, r *liveRig) {
		for _, b := range r.blocks(t) {
			if b.Duration() != 90*time.Minute {
				t.Fatalf("block of %v, want 90 min", b.Duration())
			}
		}
		if m := r.svc.Focus.Config().MinBlock; m != 90*time.Minute {
			t.Fatalf("engine minimum block %v", m)
		}
	}},
	"Plan.DailyCap": {func(s *Settings) { s.Plan.DailyCap = time.Hour }, func(t *testing.T, r *liveRig) {
		perDay := map[string]time.Duration{}
		for _, b := range r.blocks(t) {
			perDay[b.Start.In(berlin).Format(time.DateOnly)] += b.Duration()
		}
		for d, total := range perDay {
			if total > time.Hour {
				t.Fatalf("%s has %v planned, over the 1 h cap", d, total)
			}
		}
		if m := r.svc.Focus.Config().DailyMax; m != time.Hour {
			t.Fatalf("engine daily maximum %v", m)
		}
	}},
	"Plan.Buffer": {func(s *Settings) { s.Plan.Buffer = time.Hour }, func(t *testing.T, r *liveRig) {
		snap, _ := r.svc.Busy()
		for _, b := range r.blocks(t) {
			for _, iv := range snap.Busy {
				if b.Start.Before(iv.End.Add(time.Hour)) && iv.Start.Add(-time.Hour).Before(b.End) {
					t.Fatalf("block %v–%v within an hour of %v–%v", b.Start, b.End, iv.Start, iv.End)
				}
			}
		}
	}},
	"Plan.Lunch": {func(s *Settings) { s.Plan.Lunch = calendar.Span{Start: calendar.At(9, 0), End: calendar.At(17, 0)} }, func(t *testing.T, r *liveRig) {
		if len(r.saw(PlanChanged)) == 0 || r.svc.Data.Settings().Plan.Lunch.Start != calendar.At(9, 0) {
			t.Fatal("no re-plan with the new lunch")
		}
		// The whole day is "lunch": the goal cannot be reached without it,
		// so blocks are still planned (lunch only when needed).
		r.blocks(t)
	}},
	"Plan.Prefer": {func(s *Settings) { s.Plan.Prefer = calendar.PreferAfternoon }, func(t *testing.T, r *liveRig) {
		var morning, afternoon time.Duration
		for _, b := range r.blocks(t) {
			if b.Start.In(berlin).Hour() < 12 {
				morning += b.Duration()
			} else {
				afternoon += b.Duration()
			}
		}
		if len(r.saw(PlanChanged)) == 0 || afternoon < morning {
			t.Fatalf("re-planned %d times; %v planned in mornings, %v in afternoons", len(r.saw(PlanChanged)), morning, afternoon)
		}
	}},
	"Plan.HorizonDays": {func(s *Settings) { s.Plan.HorizonDays = 2 }, func(t *testing.T, r *liveRig) {
		for _, b := range r.blocks(t) {
			if !b.Start.Before(monday.AddDate(0, 0, 2)) {
				t.Fatalf("block %v beyond the 2-day horizon", b.Start)
			}
		}
	}},
	"DigestTimes": {func(s *Settings) { s.DigestTimes = []string{"07:30"} }, func(t *testing.T, r *liveRig) {
		r.submit(t, fromAPI("ci", "Nightly failed"))
		r.clk.Set(monday.Add(30 * time.Minute))
		if m := r.sent.Sent(); len(m) == 0 || m[len(m)-1].Title != "Lull — 1 held" {
			t.Fatalf("no digest at the new 07:30: %+v", m)
		}
	}},
	"VIP": {func(s *Settings) { s.VIP = []string{"pager"} }, func(t *testing.T, r *liveRig) {
		r.svc.Focus.Start(time.Hour)
		if res := r.submit(t, desk("pager", "Prod down")); res.Decision != notify.ActionBreakthrough || res.Reason != "VIP: pager" {
			t.Fatalf("VIP during focus: %+v", res)
		}
	}},
	"Keywords": {func(s *Settings) { s.Keywords = []string{"outage"} }, func(t *testing.T, r *liveRig) {
		if res := r.submit(t, fromAPI("ci", "Outage in eu-1")); res.Decision != notify.ActionBreakthrough || res.Reason != "keyword 'outage'" {
			t.Fatalf("keyword: %+v", res)
		}
	}},
	"Hold": {func(s *Settings) { s.Hold = []string{"ci"} }, func(t *testing.T, r *liveRig) {
		n := fromAPI("ci", "Outage in eu-1")
		n.Priority = notify.PriorityUrgent
		if res := r.submit(t, n); res.Decision != notify.ActionHold || !strings.Contains(res.Reason, "held except VIPs") {
			t.Fatalf("urgent from a held source: %+v", res)
		}
	}},
	"SourceDigest": {func(s *Settings) { s.SourceDigest = []string{"ci 16:30"} }, func(t *testing.T, r *liveRig) {
		if got := r.svc.Notify.Config().SourceDigest; got["ci"] != (notify.TimeOfDay{Hour: 16, Minute: 30}) {
			t.Fatalf("digest-only in force: %v", got)
		}
	}},
	"BatchDesktopAllDay": {func(s *Settings) { s.BatchDesktopAllDay = true }, func(t *testing.T, r *liveRig) {
		if res := r.submit(t, desk("Slack", "Alice")); res.Decision != notify.ActionHold {
			t.Fatalf("desktop notification outside focus: %+v", res)
		}
	}},
	"Capture": {func(s *Settings) { s.Capture = false }, func(t *testing.T, r *liveRig) {
		if got := r.capture.all(); strings.Join(got, ",") != "start,stop" || r.svc.CaptureOn() {
			t.Fatalf("capture calls %v", got)
		}
		r.save(t, func(s *Settings) { s.Capture = true })
		if got := r.capture.all(); strings.Join(got, ",") != "start,stop,start" || !r.svc.CaptureOn() {
			t.Fatalf("capture calls after turning it back on %v", got)
		}
	}},
	"HoldInMeetings": {func(s *Settings) { s.HoldInMeetings = false }, func(t *testing.T, r *liveRig) {
		r.clk.Set(time.Date(2026, 1, 5, 9, 35, 0, 0, berlin)) // in the stand-up
		time.Sleep(20 * time.Millisecond)
		if q := r.svc.Quiet(); q.Meeting {
			t.Fatalf("holding in a meeting with the setting off: %+v", q)
		}
		r.save(t, func(s *Settings) { s.HoldInMeetings = true })
		if q := r.svc.Quiet(); !q.Meeting || q.MeetingTitle != "Stand-up" {
			t.Fatalf("setting back on in the stand-up: %+v", q)
		}
	}},
	"DeviceName": {func(s *Settings) { s.DeviceName = "studio-mac" }, func(t *testing.T, r *liveRig) {
		if st, err := r.svc.SyncStatus(); err != nil || st.DeviceName != "studio-mac" {
			t.Fatalf("sync status %+v, %v: want the new device name", st, err)
		}
	}},
	"FocusFollows": {func(s *Settings) { s.FocusFollows = false }, func(t *testing.T, r *liveRig) {
		// Read at every sync (SyncDevices): the next one no longer follows.
		if r.svc.Settings().FocusFollows {
			t.Fatal("focus-follows still on")
		}
	}},
	"EndCue": {func(s *Settings) { s.EndCue = true }, func(t *testing.T, r *liveRig) {
		before := len(r.sent.Sent())
		if _, err := r.svc.Focus.Start(25 * time.Minute); err != nil {
			t.Fatal(err)
		}
		r.clk.Advance(26 * time.Minute)
		r.svc.Flush()
		if got := r.sent.Sent()[before:]; !slices.ContainsFunc(got, func(m notify.Message) bool { return m.Title == "Focus session done" }) {
			t.Fatalf("no end-of-session cue among %+v", got)
		}
	}},
	"BreakAfter": {func(s *Settings) { s.EndCue, s.BreakAfter = true, 7*time.Minute }, func(t *testing.T, r *liveRig) {
		before := len(r.sent.Sent())
		if _, err := r.svc.Focus.Start(25 * time.Minute); err != nil {
			t.Fatal(err)
		}
		r.clk.Advance(26 * time.Minute)
		r.svc.Flush()
		if got := r.sent.Sent()[before:]; !slices.ContainsFunc(got, func(m notify.Message) bool { return strings.Contains(m.Body, "Take a 7 min break") }) {
			t.Fatalf("no 7 min break suggested among %+v", got)
		}
	}},
	"DND": {func(s *Settings) { s.DND = "dunst" }, func(t *testing.T, r *liveRig) {
		if n := r.svc.Notify.DND().Name(); n != "dunst" {
			t.Fatalf("adapter %q", n)
		}
		r.svc.Focus.Start(time.Hour)
		r.save(t, func(s *Settings) { s.DND = "off" })
		if got := r.dnd.all(); strings.Join(got, ",") != "enter dunst,leave dunst,enter off" {
			t.Fatalf("DND calls %v", got)
		}
	}},
	"UserAddresses": {func(s *Settings) { s.UserAddresses = []string{"me@example.com"} }, func(t *testing.T, r *liveRig) {
		pitch := time.Date(2026, 1, 5, 13, 0, 0, 0, berlin)
		snap, _ := r.svc.Busy()
		for _, iv := range snap.Busy {
			if iv.Start.Equal(pitch) {
				t.Fatalf("the declined meeting is still busy: %v", snap.Busy)
			}
		}
	}},
	"PublishCalDAV": {func(s *Settings) { s.PublishCalDAV = "no-such-calendar" }, func(t *testing.T, r *liveRig) {
		found := false
		for _, e := range r.saw(Problem) {
			found = found || strings.Contains(e.Err.Error(), "publish")
		}
		if !found {
			t.Fatalf("publishing to the new target was not tried: %+v", r.saw(Problem))
		}
	}},
	"ExportICS": {func(s *Settings) {
		s.ExportICS = filepath.Join(os.TempDir(), "lull-live-test-"+time.Now().Format("150405.000000000")+".ics")
	}, func(t *testing.T, r *liveRig) {
		path := r.svc.Settings().ExportICS
		defer os.Remove(path)
		if _, err := os.Stat(path); err != nil {
			t.Fatalf("accepted blocks not exported at once: %v", err)
		}
	}},
	"Onboarded": {func(s *Settings) { s.Onboarded = true }, func(t *testing.T, r *liveRig) {
		if len(r.saw(SettingsChanged)) == 0 || !r.svc.Settings().Onboarded {
			t.Fatal("the window was not told (it shows onboarding from this setting)")
		}
	}},
	"SampleSource": {func(s *Settings) { s.SampleSource = "sample" }, func(t *testing.T, r *liveRig) {
		if len(r.saw(SettingsChanged)) == 0 || r.svc.Settings().SampleSource != "sample" {
			t.Fatal("the window was not told (it marks the sample calendar from this setting)")
		}
	}},
}

// settingFields lists the field paths of Settings, descending into Plan.
func settingFields() []string {
	var out []string
	st := reflect.TypeOf(Settings{})
	for i := range st.NumField() {
		f := st.Field(i)
		if f.Type == reflect.TypeOf(calendar.PlanSettings{}) {
			for j := range f.Type.NumField() {
				out = append(out, f.Name+"."+f.Type.Field(j).Name)
			}
			continue
		}
		out = append(out, f.Name)
	}
	return out
}

// TestEverySettingAppliesAtOnce changes each setting on a running service,
// as the window, the command line or the API would, and checks its effect
// without a restart.
func TestEverySettingAppliesAtOnce(t *testing.T) {
	for _, field := range settingFields() {
		c, ok := liveChecks[field]
		if !ok {
			t.Errorf("setting %s has no live-apply check: add one to liveChecks (and make it apply at once)", field)
			continue
		}
		t.Run(field, func(t *testing.T) {
			r := startLive(t)
			r.save(t, c.change)
			c.check(t, r)
		})
	}
}

// TestSettingErrorsSayWhatIsWrong: every bad value is one sentence naming
// the field (its `lull settings set` key) with a right example; no doubled
// prefix, no Go durations or Go error text.
func TestSettingErrorsSayWhatIsWrong(t *testing.T) {
	for _, tc := range []struct {
		change   func(*Settings)
		key, msg string
	}{
		{func(s *Settings) { s.DigestTimes = []string{"08:00", "9am!"} }, "digest-times", `digest time "9am!": write a time of day as HH:MM, e.g. 09:00`},
		{func(s *Settings) { s.Plan.WeeklyGoal = 200 * time.Hour }, "goal", `weekly goal "200 h": must be between 0 and 168 h, e.g. 10 h`},
		{func(s *Settings) { s.Plan.DailyCap = 25 * time.Hour }, "daily-cap", `daily cap "25 h": must be between the minimum block (1 h) and 24 h, e.g. 4 h`},
		{func(s *Settings) { s.Plan.MinBlock = 20 * time.Minute }, "min-block", `minimum block "20 min": must be at least 30 min, in whole 5 min steps, e.g. 1 h`},
		{func(s *Settings) { s.Plan.Buffer = 3 * time.Hour }, "buffer", `buffer "3 h": must be between 0 and 2 h, e.g. 10 min`},
		{func(s *Settings) { s.Plan.Zone = "Mars/Olympus" }, "zone", `zone "Mars/Olympus": is not a time zone this computer knows, e.g. Europe/Berlin`},
		{func(s *Settings) {
			s.Plan.Hours[time.Monday] = calendar.Span{Start: calendar.At(17, 0), End: calendar.At(9, 0)}
		}, "hours-mon", `Monday working hours "17:00–09:00": must end after they start, e.g. 09:00–17:00`},
		{func(s *Settings) { s.DND = "telepathy" }, "dnd", `do-not-disturb "telepathy": want ` + strings.Join(settings.DNDChoices(), ", ") + `, e.g. auto`},
	} {
		st := DefaultSettings()
		tc.change(&st)
		err := st.Validate()
		var fe *human.FieldError
		if !errors.Is(err, ErrBadSettings) || !errors.As(err, &fe) || fe.Key != tc.key || err.Error() != tc.msg {
			t.Errorf("Validate() = %v (key %q); want ErrBadSettings saying %q (key %q)", err, keyOf(fe), tc.msg, tc.key)
		}
	}
}

func keyOf(fe *human.FieldError) string {
	if fe == nil {
		return ""
	}
	return fe.Key
}
