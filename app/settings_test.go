package app

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/lullapp/lull/app/service"
	"github.com/lullapp/lull/calendar"
	"github.com/lullapp/lull/internal/api"
	"github.com/lullapp/lull/internal/human"
	"github.com/lullapp/lull/internal/settings"
)

// showSettings is a window over l showing only the Settings tab,
// 900×1400, with start at login going to a temp dir.
func showSettings(t *testing.T, l *lull) (*settingsTab, fyne.Window, *harness) {
	t.Helper()
	markOnboarded(t, l)
	h := attach(t, l, Options{})
	tab, w := h.ui.settings, h.ui.win
	// Autostart goes to a temp dir, never to the real session.
	cfg := t.TempDir()
	tab.getenv = func(k string) string {
		if k == "XDG_CONFIG_HOME" {
			return cfg
		}
		return ""
	}
	tab.executable = func() (string, error) { return "/usr/local/bin/lull", nil }
	// The tab alone, shown (the tabs hid it while another was selected).
	w.SetContent(tab.Content())
	tab.Content().Show()
	w.Resize(fyne.NewSize(900, 1400))
	tab.Refresh()
	h.wait()
	return tab, w, h
}

func TestSettingsShowsDefaults(t *testing.T) {
	tab, w, _ := showSettings(t, openLull(t, berlin(t, 2026, 11, 18, 15, 0)))
	want := map[string]string{
		"goal": "10 h", "hours-mon": "09:00–17:00", "hours-fri": "09:00–17:00", "hours-sat": "", "hours-sun": "",
		"zone": lullZone, "preferred-block": "2 h", "min-block": "1 h", "daily-cap": "4 h", "buffer": "10 min", "lunch": "12:00–13:00",
		"digest-times": "09:00, 12:30, 16:30", "vip": "", "keywords": "",
	}
	for k, v := range want {
		if got := tab.entries[k].Text; got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if tab.selects["dnd"].Selected != "auto" || tab.selects["prefer"].Selected != "any" {
		t.Errorf("dnd %q, prefer %q", tab.selects["dnd"].Selected, tab.selects["prefer"].Selected)
	}
	if !tab.checks["capture"].Checked || tab.checks["batch-desktop"].Checked || tab.checks["autostart"].Checked {
		t.Error("checks differ from the defaults")
	}
	if tab.buttons["remove-sample"].Visible() {
		t.Error("remove sample shown without a sample")
	}
	test.AssertRendersToMarkup(t, "settings_defaults.xml", w.Canvas())
}

// TestSettingsOnTheSchema: every field of the tab is a setting of the one
// schema, labelled with its title, and what a field shows reads back as
// the same setting (so a Save of an untouched tab changes nothing).
func TestSettingsOnTheSchema(t *testing.T) {
	l := openLull(t, berlin(t, 2026, 11, 18, 15, 0))
	st := l.svc.Settings()
	st.Plan.WeeklyGoal = 7*time.Hour + 30*time.Minute
	st.VIP, st.Keywords, st.DigestTimes = []string{"PagerDuty", "Alice"}, []string{"outage"}, []string{}
	st.BreakAfter, st.EndCue = 5*time.Minute, true
	if err := l.svc.SaveSettings(st); err != nil {
		t.Fatal(err)
	}
	tab, _, h := showSettings(t, l)
	n := 0
	for _, keys := range [][]string{settingsHoursKeys, settingsBlockKeys, settingsNoteKeys, settingsDeviceKeys} {
		for _, key := range keys {
			n++
			f, ok := settings.Lookup(key)
			if !ok {
				t.Fatalf("%s is no setting of the schema", key)
			}
			if _, ok := tab.errs[key]; !ok {
				t.Errorf("%s has no error label", key)
			}
			_, isEntry := tab.entries[key]
			_, isSelect := tab.selects[key]
			_, isCheck := tab.checks[key]
			switch f.Kind {
			case settings.KindChoice:
				if !isSelect || !slices.Equal(tab.selects[key].Options, f.Choices) {
					t.Errorf("%s: want a select of %q", key, f.Choices)
				}
			case settings.KindSwitch:
				if !isCheck || tab.checks[key].Text != f.Title() {
					t.Errorf("%s: want a check box %q", key, f.Title())
				}
			default:
				if !isEntry || tab.entries[key].Text != f.Format(st) {
					t.Errorf("%s: want a field showing %q", key, f.Format(st))
				}
			}
		}
	}
	if got := len(tab.entries) + len(tab.selects) + len(tab.checks) - 1; got != n { // -1: autostart
		t.Errorf("%d widgets for %d settings", got, n)
	}
	before := l.svc.Settings()
	test.Tap(tab.buttons["save"])
	h.wait()
	if !strings.HasPrefix(tab.status.Text, "Saved") || !reflect.DeepEqual(l.svc.Settings(), before) {
		t.Errorf("an untouched Save: %q, settings %+v, want %+v", tab.status.Text, l.svc.Settings(), before)
	}
}

func TestSettingsSaveRoundTrip(t *testing.T) {
	l := openLull(t, berlin(t, 2026, 11, 18, 15, 0))
	svc := l.svc
	tab, _, h := showSettings(t, l)
	before := svc.Settings()

	set := map[string]string{
		"goal": "12.5", "hours-mon": "08:30-16:30", "hours-fri": "9:00 to 13:00", "hours-sat": "10:00–12:00",
		"preferred-block": "90m", "min-block": "45", "daily-cap": "3 h", "buffer": "15 min", "lunch": "off",
		"digest-times": "08:00, 17:00", "vip": "PagerDuty, boss@example.com,", "keywords": " outage ",
	}
	for k, v := range set {
		tab.entries[k].SetText(v)
	}
	tab.selects["prefer"].SetSelected("morning")
	tab.selects["dnd"].SetSelected("dunst")
	tab.checks["batch-desktop"].SetChecked(true)
	test.Tap(tab.buttons["save"])
	h.wait()

	if got := tab.status.Text; !strings.HasPrefix(got, "Saved") {
		t.Fatalf("status %q", got)
	}
	st := svc.Settings()
	p := st.Plan
	checks := []struct {
		name      string
		got, want any
	}{
		{"goal", p.WeeklyGoal, 12*time.Hour + 30*time.Minute},
		{"mon", p.Hours[time.Monday], calendar.Span{Start: calendar.At(8, 30), End: calendar.At(16, 30)}},
		{"fri", p.Hours[time.Friday], calendar.Span{Start: calendar.At(9, 0), End: calendar.At(13, 0)}},
		{"sat", p.Hours[time.Saturday], calendar.Span{Start: calendar.At(10, 0), End: calendar.At(12, 0)}},
		{"sun", p.Hours[time.Sunday], calendar.Span{}},
		{"tue unchanged", p.Hours[time.Tuesday], before.Plan.Hours[time.Tuesday]},
		{"preferred", p.PreferredBlock, 90 * time.Minute},
		{"min", p.MinBlock, 45 * time.Minute},
		{"cap", p.DailyCap, 3 * time.Hour},
		{"buffer", p.Buffer, 15 * time.Minute},
		{"lunch", p.Lunch, calendar.Span{}},
		{"prefer", p.Prefer, calendar.PreferMorning},
		{"zone", p.Zone, lullZone},
		{"digest", st.DigestTimes, []string{"08:00", "17:00"}},
		{"vip", st.VIP, []string{"PagerDuty", "boss@example.com"}},
		{"keywords", st.Keywords, []string{"outage"}},
		{"dnd", st.DND, "dunst"},
		{"batch", st.BatchDesktopAllDay, true},
		{"capture", st.Capture, true},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	// Stored, not only adopted.
	stored, err := service.LoadSettings(svc.DB)
	if err != nil || !reflect.DeepEqual(stored, st) {
		t.Errorf("stored settings %+v, %v; want %+v", stored, err, st)
	}

	// A fresh read shows what was saved, as the schema writes it (and
	// `lull settings show` prints it).
	tab.fill()
	tab.hasShown = false
	tab.Refresh()
	h.wait()
	for k, v := range map[string]string{"goal": "12 h 30 min", "hours-mon": "08:30–16:30", "preferred-block": "1 h 30 min", "min-block": "45 min", "buffer": "15 min", "lunch": "", "vip": "PagerDuty, boss@example.com"} {
		if got := tab.entries[k].Text; got != v {
			t.Errorf("reloaded %s = %q, want %q", k, got, v)
		}
	}
	if tab.selects["dnd"].Selected != "dunst" || tab.selects["prefer"].Selected != "morning" || !tab.checks["batch-desktop"].Checked {
		t.Errorf("reloaded selects %q %q, batch %v", tab.selects["dnd"].Selected, tab.selects["prefer"].Selected, tab.checks["batch-desktop"].Checked)
	}
}

// TestSettingsValidationErrors: a bad value shows under its own field,
// found by the field error's key (read on the schema, or answered by Lull
// through the API), in the words `lull settings set` prints, and nothing
// is stored.
func TestSettingsValidationErrors(t *testing.T) {
	l := openLull(t, berlin(t, 2026, 11, 18, 15, 0))
	svc := l.svc
	tab, w, h := showSettings(t, l)
	before := svc.Settings()
	tests := []struct {
		key, value string
		want       string
	}{
		{"goal", "lots", `"lots": write hours or a length of time, e.g. 10h`},
		{"goal", "-3", `"-3": write hours or a length of time, e.g. 10h`},
		{"goal", "200", `"200 h": must be between 0 and 168 h, e.g. 10 h`},
		{"min-block", "10m", `"10 min": must be at least 30 min`},
		{"preferred-block", "30m", `"30 min": must be at least the minimum block (1 h)`},
		{"daily-cap", "soon", `"soon": write a length of time such as 25m, 1h30 or 90 (minutes), e.g. 4h`},
		{"hours-tue", "17:00-09:00", `"17:00–09:00": must end after they start, e.g. 09:00–17:00`},
		{"hours-wed", "9 to 5", `"9 to 5": write a range of the day such as 09:00–17:00, or off, e.g. 09:00–17:00`},
		{"lunch", "12:03–13:00", `"12:03–13:00": must be on a 5 min grid`},
		{"digest-times", "09:00, 25:00", `"25:00": write a time of day as HH:MM, e.g. 09:00`},
		{"digest-times", "nine", `"nine": write a time of day as HH:MM, e.g. 09:00`},
		{"zone", "Mars/Olympus_Mons", `"Mars/Olympus_Mons"`},
		{"break", "2h", `must be whole minutes from 0 min to 1 h`},
	}
	for _, tc := range tests {
		test.Tap(tab.buttons["revert"])
		tab.entries[tc.key].SetText(tc.value)
		test.Tap(tab.buttons["save"])
		h.wait()
		l := tab.errs[tc.key]
		if !l.Visible() || !strings.Contains(l.Text, tc.want) {
			t.Errorf("%s=%q: error under %s is %q (shown %v), want it to contain %q", tc.key, tc.value, tc.key, l.Text, l.Visible(), tc.want)
		}
		for k, other := range tab.errs {
			if k != tc.key && other.Visible() {
				t.Errorf("%s=%q: error also under %s: %q", tc.key, tc.value, k, other.Text)
			}
		}
		label := settingsField(tc.key).Title()
		if tc.key == "digest-times" {
			label = "Digest time"
		}
		if !strings.HasPrefix(tab.status.Text, "Not saved: "+label) || goDuration.MatchString(tab.status.Text) {
			t.Errorf("%s=%q: status %q, want it to name %q", tc.key, tc.value, tab.status.Text, label)
		}
		if got := svc.Settings(); !reflect.DeepEqual(got, before) {
			t.Fatalf("%s=%q: settings changed on error: %+v", tc.key, tc.value, got)
		}
		if stored, _ := service.LoadSettings(svc.DB); !reflect.DeepEqual(stored, before) {
			t.Fatalf("%s=%q: stored settings changed on error", tc.key, tc.value)
		}
	}
	// The last case, rendered: the message sits under its field.
	test.AssertRendersToMarkup(t, "settings_error.xml", w.Canvas())
}

// TestSettingsErrorFromLull: a value only Lull can refuse (an export file
// that is not Lull's, checked on disk by the resident) comes back over the
// API as a field error, and shows under that field by its key.
func TestSettingsErrorFromLull(t *testing.T) {
	tab, _, h := showSettings(t, openLull(t, berlin(t, 2026, 11, 18, 15, 0)))
	theirs := filepath.Join(t.TempDir(), "theirs.ics")
	if err := os.WriteFile(theirs, []byte("BEGIN:VCALENDAR\r\nPRODID:-//Them//EN\r\nEND:VCALENDAR\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	st := tab.stored
	st.ExportICS = theirs
	var saveErr error
	h.ui.bridge.run(func() error {
		_, saveErr = h.cl.SaveSettings(t.Context(), st)
		return nil
	}, func(error) {})
	h.wait()
	if settingsErrorKey(saveErr) != "export-ics" {
		t.Fatalf("Lull's answer %v has key %q, want export-ics", saveErr, settingsErrorKey(saveErr))
	}
	// The tab's own Save of a bad goal, refused by Lull rather than the
	// window (the window's check skipped), lands under the goal.
	tab.errs["goal"].Hide()
	bad := tab.stored
	bad.Plan.WeeklyGoal = 200 * time.Hour
	_, err := h.cl.SaveSettings(t.Context(), bad)
	tab.showError(err)
	if !tab.errs["goal"].Visible() || !strings.Contains(tab.errs["goal"].Text, "168 h") {
		t.Errorf("Lull's goal error under the goal: %q (shown %v)", tab.errs["goal"].Text, tab.errs["goal"].Visible())
	}
}

func TestSettingsRefreshKeepsEdits(t *testing.T) {
	l := openLull(t, berlin(t, 2026, 11, 18, 15, 0))
	svc := l.svc
	tab, _, h := showSettings(t, l)

	// Changed elsewhere (CLI, API, onboarding) while the tab shows no edits:
	// the settings event shows the new value.
	st := svc.Settings()
	st.Plan.WeeklyGoal = 6 * time.Hour
	if err := svc.Data.SaveSettings(st); err != nil {
		t.Fatal(err)
	}
	tab.Refresh()
	h.wait()
	if got := tab.entries["goal"].Text; got != "6 h" {
		t.Errorf("goal after an outside change %q, want 6 h", got)
	}

	// With an unsaved edit, a Refresh (a background sync) keeps it.
	tab.entries["buffer"].SetText("20m")
	tab.entries["goal"].SetText("nonsense")
	tab.Refresh()
	h.wait()
	if tab.entries["buffer"].Text != "20m" || tab.entries["goal"].Text != "nonsense" {
		t.Errorf("edits lost on Refresh: buffer %q goal %q", tab.entries["buffer"].Text, tab.entries["goal"].Text)
	}
	test.Tap(tab.buttons["revert"])
	if tab.entries["buffer"].Text != "10 min" || tab.entries["goal"].Text != "6 h" {
		t.Errorf("after revert: buffer %q goal %q", tab.entries["buffer"].Text, tab.entries["goal"].Text)
	}
}

func TestSettingsAutostartCheck(t *testing.T) {
	tab, _, _ := showSettings(t, openLull(t, berlin(t, 2026, 11, 18, 15, 0)))
	if !autostartSupported() {
		t.Skip("no XDG autostart here")
	}
	p, _ := autostartPath(tab.getenv)
	test.Tap(tab.checks["autostart"])
	b, err := os.ReadFile(p)
	if err != nil || !strings.Contains(string(b), "Exec=/usr/local/bin/lull --hidden\n") {
		t.Fatalf("entry after checking: %q, %v", b, err)
	}
	test.Tap(tab.checks["autostart"])
	if _, err := os.Stat(p); !os.IsNotExist(err) {
		t.Errorf("entry after unchecking: %v", err)
	}

	// A go-run binary is refused: the box stays unchecked and a dialog says why.
	tab.executable = func() (string, error) { return "/tmp/go-build99/b001/exe/lull", nil }
	test.Tap(tab.checks["autostart"])
	if tab.checks["autostart"].Checked {
		t.Error("box checked although the entry was refused")
	}
	if _, err := os.Stat(p); !os.IsNotExist(err) {
		t.Errorf("entry written for a go-run binary: %v", err)
	}
	if tab.win.Canvas().Overlays().Top() == nil {
		t.Error("no error dialog")
	}
}

const settingsTestICS = "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//test//EN\n" +
	"BEGIN:VEVENT\nUID:a@test\nDTSTAMP:20260101T000000Z\nDTSTART:20261119T100000\nDTEND:20261119T110000\nSUMMARY:Review\nEND:VEVENT\n" +
	"END:VCALENDAR\n"

func TestSettingsCalendars(t *testing.T) {
	l := openLull(t, berlin(t, 2026, 11, 18, 15, 0))
	svc := l.svc
	tab, _, h := showSettings(t, l)
	if got := settingsRowTexts(tab); len(got) != 1 || !strings.HasPrefix(got[0], "No calendars yet") {
		t.Errorf("empty list shows %q", got)
	}
	path := filepath.Join(t.TempDir(), "work.ics")
	if err := os.WriteFile(path, []byte(settingsTestICS), 0o600); err != nil {
		t.Fatal(err)
	}
	tab.adder.add(api.AddCalendar{Kind: calendar.SourceFile, Path: path, Name: "Work"})
	h.wait()
	if tab.progress.Visible() {
		t.Error("progress still shown after the work ended")
	}
	list, _ := svc.Sources.ListSources()
	if len(list) != 1 {
		t.Fatalf("%d sources", len(list))
	}
	id := list[0].Config.ID
	rows := strings.Join(settingsRowTexts(tab), "\n")
	// The last sync in local time, not a UTC stamp.
	if !strings.Contains(rows, "Work") || !strings.Contains(rows, "File "+path) || !strings.Contains(rows, "1 event · updated 15:00") || strings.Contains(rows, "UTC") {
		t.Errorf("list after adding and syncing:\n%s", rows)
	}
	if settingsDetail(tab, 0).Importance == widget.WarningImportance {
		t.Error("a calendar that is fine is shown as a warning")
	}
	// The file turns into a web page: the row says so, as a warning, and
	// names the copy still in use.
	if err := os.WriteFile(path, []byte("<!DOCTYPE html><html><body>Sign in</body></html>"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.SyncNow(context.Background()); err != nil {
		t.Fatal(err)
	}
	tab.refreshSources()
	h.wait()
	rows = strings.Join(settingsRowTexts(tab), "\n")
	if !strings.Contains(rows, "error: the file "+path+" holds a web page, not a calendar — last good copy from 15:00 in use (1 event)") {
		t.Errorf("list after the file became a web page:\n%s", rows)
	}
	if settingsDetail(tab, 0).Importance != widget.WarningImportance {
		t.Error("a failing calendar is not shown as a warning")
	}
	if err := os.WriteFile(path, []byte(settingsTestICS), 0o600); err != nil {
		t.Fatal(err)
	}
	// The sync that follows adding read the event.
	snap, err := svc.Busy()
	if err != nil || len(snap.Busy) != 1 {
		t.Errorf("busy after sync: %v, %v", snap.Busy, err)
	}

	// The calendar's "all-day events are free" box stores the setting.
	free := tab.allDayFree[id]
	if free == nil || free.Checked {
		t.Fatalf("all-day box %v", free)
	}
	test.Tap(free)
	h.wait()
	if cfg, _ := svc.Sources.Config(id); !cfg.AllDayFree {
		t.Error("ticking the box did not set all-day events free")
	}
	tab.refreshSources()
	h.wait()
	if !tab.allDayFree[id].Checked {
		t.Error("the box does not show the stored setting")
	}
	test.Tap(tab.allDayFree[id])
	h.wait()
	if cfg, _ := svc.Sources.Config(id); cfg.AllDayFree {
		t.Error("unticking the box did not set all-day events busy")
	}

	// Removing goes through a confirmation.
	test.Tap(tab.removeButtons[id])
	if tab.win.Canvas().Overlays().Top() == nil {
		t.Fatal("no confirmation")
	}
	tab.removeSource(id)
	h.wait()
	if list, _ := svc.Sources.ListSources(); len(list) != 0 {
		t.Errorf("still listed: %v", list)
	}

	// A bad file is a readable error, not a crash; nothing is added.
	tab.adder.add(api.AddCalendar{Kind: calendar.SourceFile, Path: filepath.Join(t.TempDir(), "missing.ics")})
	h.wait()
	if list, _ := svc.Sources.ListSources(); len(list) != 0 {
		t.Errorf("a missing file was added: %v", list)
	}
}

func TestSettingsRemoveSample(t *testing.T) {
	l := openLull(t, berlin(t, 2026, 11, 18, 15, 0))
	svc := l.svc
	cl, err := api.Dial(svc.Dir)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := cl.AddCalendar(t.Context(), api.AddCalendar{Sample: true})
	if err != nil {
		t.Fatal(err)
	}
	tab, _, h := showSettings(t, l)
	if !tab.buttons["remove-sample"].Visible() {
		t.Fatal("no remove-sample button with the sample added")
	}
	if rows := strings.Join(settingsRowTexts(tab), "\n"); !strings.Contains(rows, service.SampleName) || !strings.Contains(rows, "Sample calendar bundled with Lull") {
		t.Errorf("sample row:\n%s", rows)
	}
	test.Tap(tab.buttons["remove-sample"]) // one click, no confirmation
	h.wait()
	if _, err := svc.Sources.Config(cfg.ID); err == nil {
		t.Error("sample source still there")
	}
	if id := svc.Settings().SampleSource; id != "" {
		t.Errorf("SampleSource still %q", id)
	}
	if _, err := os.Stat(cfg.Path); !os.IsNotExist(err) {
		t.Errorf("the sample's copy: %v", err)
	}
	if tab.buttons["remove-sample"].Visible() {
		t.Error("remove-sample still shown")
	}
}

// fakeCalDAVDiscovery answers a CalDAV client's discovery for alice/secret
// with one calendar /alice/work/ ("Work"), and an empty calendar query.
func fakeCalDAVDiscovery(t *testing.T) *httptest.Server { return fakeCalDAV(t, "Work") }

// fakeCalDAV answers a CalDAV client's discovery for alice/secret with a
// calendar /alice/<name in lower case>/ for each of names, and an empty
// calendar query on each.
func fakeCalDAV(t *testing.T, names ...string) *httptest.Server {
	cals := map[string]string{} // path: name
	var listed string
	for _, name := range names {
		p := "/alice/" + strings.ToLower(name) + "/"
		cals[p] = name
		listed += `<D:response><D:href>` + p + `</D:href><D:propstat><D:prop><D:resourcetype><D:collection/><C:calendar/></D:resourcetype>` +
			`<D:displayname>` + name + `</D:displayname><C:supported-calendar-component-set><C:comp name="VEVENT"/></C:supported-calendar-component-set></D:prop>` +
			`<D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>`
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if u, p, ok := r.BasicAuth(); !ok || u != "alice" || p != "secret" {
			w.Header().Set("WWW-Authenticate", `Basic realm="fake"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		const ok = `<D:status>HTTP/1.1 200 OK</D:status>`
		var body string
		switch {
		case r.Method == "PROPFIND" && r.Header.Get("Depth") == "0" && (r.URL.Path == "/" || r.URL.Path == "/alice/"):
			body = `<D:response><D:href>` + r.URL.Path + `</D:href><D:propstat><D:prop>` +
				`<D:current-user-principal><D:href>/alice/</D:href></D:current-user-principal>` +
				`<C:calendar-home-set><D:href>/alice/</D:href></C:calendar-home-set>` +
				`<D:resourcetype><D:collection/></D:resourcetype></D:prop>` + ok + `</D:propstat></D:response>`
		case r.Method == "PROPFIND" && r.URL.Path == "/alice/":
			body = `<D:response><D:href>/alice/</D:href><D:propstat><D:prop><D:resourcetype><D:collection/></D:resourcetype></D:prop>` + ok + `</D:propstat></D:response>` +
				listed
		case r.Method == "REPORT" && cals[r.URL.Path] != "":
		default:
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusMultiStatus)
		io.WriteString(w, `<?xml version="1.0"?><D:multistatus xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">`+body+`</D:multistatus>`)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestSettingsCalDAVTestConnection(t *testing.T) {
	l := openLull(t, berlin(t, 2026, 11, 18, 15, 0))
	svc := l.svc
	tab, w, h := showSettings(t, l)
	srv := fakeCalDAVDiscovery(t)

	f := tab.adder.newCalDAVForm()
	test.Tap(f.test)
	if !strings.Contains(f.status.Text, "Enter the server address") {
		t.Errorf("empty form: status %q", f.status.Text)
	}

	f.url.SetText(srv.URL + "/")
	f.user.SetText("alice")
	f.password.SetText("wrong")
	test.Tap(f.test)
	h.wait()
	if !strings.Contains(f.status.Text, "Could not connect") || !strings.Contains(f.status.Text, "user name or password") {
		t.Errorf("wrong password: status %q", f.status.Text)
	}
	if w.Canvas().Overlays().Top() == nil {
		t.Error("wrong password: no error dialog")
	}
	if f.test.Disabled() {
		t.Error("test button left disabled")
	}

	f.password.SetText("secret")
	test.Tap(f.test)
	h.wait()
	if f.status.Text != "Connected: 1 calendar found." || !slices.Equal(f.calendars.Options, []string{"Work (/alice/work/)"}) || f.calendars.Selected == "" {
		t.Fatalf("status %q, calendars %q (selected %q)", f.status.Text, f.calendars.Options, f.calendars.Selected)
	}
	f.publish.SetChecked(true)
	req := f.request()
	if req.Calendar != "/alice/work/" || !req.Publish || req.Password != "secret" {
		t.Errorf("request %+v", req)
	}

	// Adding it: the password goes to the keyring, never back to the screen.
	tab.adder.add(req)
	h.wait()
	list, _ := svc.Sources.ListSources()
	if len(list) != 1 || list[0].Config.Kind != calendar.SourceCalDAV {
		t.Fatalf("sources %+v", list)
	}
	if svc.Settings().PublishCalDAV != list[0].Config.ID {
		t.Errorf("publish calendar %q, want %q", svc.Settings().PublishCalDAV, list[0].Config.ID)
	}
	rows := strings.Join(settingsRowTexts(tab), "\n")
	if !strings.Contains(rows, "as alice") || strings.Contains(rows, "secret") {
		t.Errorf("row:\n%s", rows)
	}
	if strings.Contains(test.RenderToMarkup(w.Canvas()), "secret") {
		t.Error("the password is rendered")
	}
}

// settingsDetail is the detail label (status line) of calendar row i.
func settingsDetail(tab *settingsTab, i int) *widget.Label {
	row := tab.sources.Objects[i].(*fyne.Container)
	for _, o := range row.Objects {
		if box, ok := o.(*fyne.Container); ok && len(box.Objects) >= 2 { // name, detail[, all-day check]
			return box.Objects[1].(*widget.Label)
		}
	}
	panic("no detail label in the calendar row")
}

// settingsRowTexts returns the calendar list's label texts, one string per
// row.
func settingsRowTexts(tab *settingsTab) []string {
	var out []string
	for _, row := range tab.sources.Objects {
		var parts []string
		var walk func(o fyne.CanvasObject)
		walk = func(o fyne.CanvasObject) {
			switch v := o.(type) {
			case *widget.Label:
				parts = append(parts, v.Text)
			case *fyne.Container:
				for _, c := range v.Objects {
					walk(c)
				}
			}
		}
		walk(row)
		out = append(out, strings.Join(parts, " · "))
	}
	return out
}

func TestDurText(t *testing.T) {
	for d, want := range map[time.Duration]string{2 * time.Hour: "2 h", 90 * time.Minute: "1 h 30 min", 10 * time.Minute: "10 min", 0: "0 min", 10 * time.Second: "10 s"} {
		if got := durText(d); got != want {
			t.Errorf("text of %v = %q, want %q", d, got, want)
		}
	}
	// What the window writes reads back as the same length, for every
	// length on the minute up to a day, as the schema reads lengths.
	for d := time.Duration(0); d <= 24*time.Hour; d += time.Minute {
		if got, err := human.ParseDuration(durText(d)); err != nil || got != d {
			t.Fatalf("%v shows as %q, which reads back as %v, %v", d, durText(d), got, err)
		}
	}
}

// TestSettingsWheelScrollsOverFields: the mouse wheel over a text field
// scrolls the page (a field used to take the wheel for itself).
func TestSettingsWheelScrollsOverFields(t *testing.T) {
	tab, w, _ := showSettings(t, openLull(t, berlin(t, 2026, 11, 18, 15, 0)))
	w.Resize(fyne.NewSize(760, 580))
	for _, key := range []string{"goal", "hours-mon"} {
		tab.scroll.ScrollToTop()
		e := tab.entries[key]
		pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(e).Add(fyne.NewPos(10, 10))
		if pos.Y > 500 {
			t.Fatalf("%s is not on screen at the top (y %v)", key, pos.Y)
		}
		test.Scroll(w.Canvas(), pos, 0, -120)
		if off := tab.scroll.scroll.Offset.Y; off <= 0 {
			t.Errorf("wheel over the %s field: page offset %v, want it scrolled down", key, off)
		}
	}
	// The driver finds the target of a click, a hover or a drag by these
	// interfaces: the wheel's layer has none, so they reach the fields.
	var layer any = tab.scroll.catch
	for name, ok := range map[string]bool{
		"Tappable":          is[fyne.Tappable](layer),
		"SecondaryTappable": is[fyne.SecondaryTappable](layer),
		"DoubleTappable":    is[fyne.DoubleTappable](layer),
		"Focusable":         is[fyne.Focusable](layer),
		"Draggable":         is[fyne.Draggable](layer),
		"Hoverable":         is[desktop.Hoverable](layer),
		"Mouseable":         is[desktop.Mouseable](layer),
		"Cursorable":        is[desktop.Cursorable](layer),
	} {
		if ok {
			t.Errorf("the wheel's layer is %s: it would take that from the fields", name)
		}
	}
}

func is[T any](v any) bool { _, ok := v.(T); return ok }

// TestSettingsSaveAlwaysInView: Save and its confirmation sit below the
// scrolling fields, in the window at any size, and every save says when
// it was saved.
func TestSettingsSaveAlwaysInView(t *testing.T) {
	tab, w, h := showSettings(t, openLull(t, berlin(t, 2026, 11, 18, 15, 0)))
	for _, size := range []fyne.Size{fyne.NewSize(1280, 800), fyne.NewSize(760, 580), fyne.NewSize(500, 480)} {
		w.Resize(size)
		save := tab.buttons["save"]
		pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(save)
		c := w.Canvas().Size()
		if pos.X < 0 || pos.Y < 0 || pos.X+save.Size().Width > c.Width || pos.Y+save.Size().Height > c.Height {
			t.Errorf("%v: Save at %v size %v, outside the %v window", size, pos, save.Size(), c)
		}
		for _, o := range test.LaidOutObjects(tab.scroll) {
			if o == save {
				t.Errorf("%v: Save scrolls with the fields", size)
			}
		}
	}
	tab.entries["goal"].SetText("11")
	test.Tap(tab.buttons["save"])
	h.wait()
	if tab.status.Text != "Saved at 15:00. Lull re-plans with the new settings." || tab.status.Importance != widget.SuccessImportance {
		t.Errorf("after Save: %q", tab.status.Text)
	}
}

// TestSettingsErrorClearsWhenFixed: a field's error goes as soon as what
// it holds is right, without pressing Save again; a message still true is
// kept up to date.
func TestSettingsErrorClearsWhenFixed(t *testing.T) {
	tab, _, h := showSettings(t, openLull(t, berlin(t, 2026, 11, 18, 15, 0)))
	for _, tc := range []struct{ key, bad, worse, good string }{
		{"goal", "lots", "200", "12"},
		{"min-block", "soon", "10m", "45 min"},
		{"digest-times", "nine", "25:00", "9am, 17:00"},
		{"hours-tue", "9 to 5", "17:00-09:00", "08:00–16:00"},
		{"zone", "Mars/Olympus_Mons", "Atlantis", "Europe/Berlin"},
	} {
		test.Tap(tab.buttons["revert"])
		tab.entries[tc.key].SetText(tc.bad)
		test.Tap(tab.buttons["save"])
		h.wait()
		l := tab.errs[tc.key]
		if !l.Visible() {
			t.Fatalf("%s=%q: no error shown", tc.key, tc.bad)
		}
		first := l.Text
		tab.entries[tc.key].SetText(tc.worse)
		if !l.Visible() || l.Text == first {
			t.Errorf("%s=%q: error %q (shown %v), want it about the new value", tc.key, tc.worse, l.Text, l.Visible())
		}
		tab.entries[tc.key].SetText(tc.good)
		if l.Visible() {
			t.Errorf("%s=%q: error %q still shown", tc.key, tc.good, l.Text)
		}
		if strings.HasPrefix(tab.status.Text, "Not saved:") {
			t.Errorf("%s=%q: status still %q", tc.key, tc.good, tab.status.Text)
		}
	}
}

// TestSyncStateLines: the Settings tab says the sync state per device in
// words, local time, never a raw stamp or a status code.
func TestSyncStateLines(t *testing.T) {
	loc := time.FixedZone("CET", 3600)
	now := time.Date(2026, 12, 3, 14, 10, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		st   api.SyncStatus
		want []string
	}{
		{"off", api.SyncStatus{}, []string{`Sync is off: tick "Sync with my other devices" on a CalDAV calendar to share your focus log and focus with your other computers.`}},
		{"on, two devices", api.SyncStatus{On: true, Calendar: "Work", DeviceName: "laptop", LastSuccess: now.Add(-time.Minute), Pending: 1,
			Devices: []api.SyncDeviceStatus{{Name: "desktop", LastSeen: now.Add(-2 * time.Minute), Focusing: true, Sessions: 12},
				{Name: "old-pc", LastSeen: now.AddDate(0, 0, -3), Sessions: 1}}},
			[]string{`Sync is on through "Work"; this device is "laptop".`, "Last sync: today 15:09", "1 change waiting to be written",
				"desktop: last seen today 15:08, focusing, 12 sessions", "old-pc: last seen Mon 30 Nov 15:10, not focusing, 1 session"}},
		{"failing", api.SyncStatus{On: true, Calendar: "Work", DeviceName: "laptop", LastAttempt: now, LastError: "the server cannot be reached", Pending: 3, Held: 1},
			[]string{`Sync is on through "Work"; this device is "laptop".`, "Last sync failed today 15:10: the server cannot be reached (last good sync: never)",
				"3 changes waiting to be written; 1 kept back (another event holds their place on the server)", "No other device seen yet."}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := syncStateLines(tc.st, nil, now, loc); !slices.Equal(got, tc.want) {
				t.Errorf("got\n%q\nwant\n%q", got, tc.want)
			}
		})
	}
}

// syncBoxCalendars starts Lull with the CalDAV calendars names added (on
// a fake server) and shows the Settings tab; it returns the calendars' IDs
// by name.
func syncBoxCalendars(t *testing.T, names ...string) (*settingsTab, *harness, map[string]string) {
	t.Helper()
	l := openLull(t, berlin(t, 2026, 11, 18, 15, 0))
	srv := fakeCalDAV(t, names...)
	cl, err := api.Dial(l.svc.Dir)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	for _, name := range names {
		cfg, err := cl.AddCalendar(t.Context(), api.AddCalendar{Kind: calendar.SourceCalDAV, URL: srv.URL + "/", User: "alice", Password: "secret",
			Calendar: "/alice/" + strings.ToLower(name) + "/"})
		if err != nil {
			t.Fatal(err)
		}
		ids[name] = cfg.ID
	}
	tab, _, h := showSettings(t, l)
	return tab, h, ids
}

// syncOn reads through the API the window uses whether sync is on for
// calendar id.
func syncOn(t *testing.T, h *harness, id string) bool {
	t.Helper()
	list, err := h.cl.Calendars(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range list {
		if s.Config.ID == id {
			return s.Config.Sync
		}
	}
	t.Fatalf("no calendar %s", id)
	return false
}

// codeOrGoWords finds what a person should never read in a message: an
// HTTP status, a Go type or package-qualified name, a sentinel's name.
var codeOrGoWords = regexp.MustCompile(`\b[1-5][0-9][0-9]\b|\*?\b[a-z]+\.[A-Z]\w*|\bErr[A-Z]\w*|%!|\bstatus code\b|invalid calendar source`)

// TestSettingsSyncBox: ticking "Sync with my other devices" under a
// CalDAV calendar switches sync on in Lull (read back through the API the
// window uses) and Your devices says so; unticking switches it off. A
// second calendar cannot carry the sync while the first does: ticking its
// box says why in words and the box stays unticked, as Lull has it.
func TestSettingsSyncBox(t *testing.T) {
	tab, h, ids := syncBoxCalendars(t, "Work", "Home")
	work, home := ids["Work"], ids["Home"]
	for name, id := range ids {
		if box := tab.syncBoxes[id]; box == nil || box.Checked || syncOn(t, h, id) {
			t.Fatalf("%s: box %v before any tick", name, box)
		}
	}
	if !strings.HasPrefix(tab.syncState.Text, "Sync is off") {
		t.Errorf("Your devices before any tick: %q", tab.syncState.Text)
	}

	test.Tap(tab.syncBoxes[work])
	if !tab.syncBoxes[work].Disabled() {
		t.Error("the box takes another click before Lull has answered the first")
	}
	h.wait()
	if !syncOn(t, h, work) {
		t.Fatal("ticking the box did not switch sync on in Lull")
	}
	if st, err := h.cl.SyncStatus(t.Context()); err != nil || !st.On || st.Calendar != "Work" {
		t.Errorf("sync status after ticking: %+v, %v", st, err)
	}
	if !tab.syncBoxes[work].Checked {
		t.Error("the box is unticked with sync on")
	}
	if !strings.HasPrefix(tab.syncState.Text, `Sync is on through "Work"`) {
		t.Errorf("Your devices after ticking: %q", tab.syncState.Text)
	}
	if b := buttonLabelled(t, tab.devices, "Sync devices now"); b.Disabled() {
		t.Error("Sync devices now is off with sync on")
	}
	if tab.win.Canvas().Overlays().Top() != nil {
		t.Fatalf("a dialog after ticking: %q", texts(tab.win.Canvas().Overlays().Top()))
	}

	// The second calendar: refused, in words, and its box as Lull has it.
	test.Tap(tab.syncBoxes[home])
	h.wait()
	top := tab.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("ticking a second calendar's box showed nothing")
	}
	msg := strings.Join(texts(top), " ")
	if !strings.Contains(msg, `"Work"`) || !strings.Contains(msg, "switch sync off") || codeOrGoWords.MatchString(msg) {
		t.Errorf("the refusal says %q", msg)
	}
	top.Hide()
	if syncOn(t, h, home) || !syncOn(t, h, work) {
		t.Errorf("after the refusal: Home %v, Work %v", syncOn(t, h, home), syncOn(t, h, work))
	}
	if tab.syncBoxes[home].Checked || !tab.syncBoxes[work].Checked {
		t.Errorf("after the refusal the boxes show Home %v, Work %v", tab.syncBoxes[home].Checked, tab.syncBoxes[work].Checked)
	}
	if !strings.HasPrefix(tab.syncState.Text, `Sync is on through "Work"`) {
		t.Errorf("Your devices after the refusal: %q", tab.syncState.Text)
	}

	// Unticking switches it off; then the other calendar can carry it.
	test.Tap(tab.syncBoxes[work])
	h.wait()
	if syncOn(t, h, work) || tab.syncBoxes[work].Checked {
		t.Errorf("after unticking: sync %v, box %v", syncOn(t, h, work), tab.syncBoxes[work].Checked)
	}
	if !strings.HasPrefix(tab.syncState.Text, "Sync is off") {
		t.Errorf("Your devices after unticking: %q", tab.syncState.Text)
	}
	if b := buttonLabelled(t, tab.devices, "Sync devices now"); !b.Disabled() {
		t.Error("Sync devices now is on with sync off")
	}
	test.Tap(tab.syncBoxes[home])
	h.wait()
	if !syncOn(t, h, home) || !tab.syncBoxes[home].Checked || !strings.HasPrefix(tab.syncState.Text, `Sync is on through "Home"`) {
		t.Errorf("Home after Work let go: sync %v, box %v, %q", syncOn(t, h, home), tab.syncBoxes[home].Checked, tab.syncState.Text)
	}
	if top := tab.win.Canvas().Overlays().Top(); top != nil {
		t.Errorf("a dialog after ticking Home: %q", texts(top))
	}
}

// TestSettingsSyncBoxWithLullStopped: a tick Lull never took (it stopped
// running) is told in words and does not stay on the box, even though the
// list cannot be read again.
func TestSettingsSyncBoxWithLullStopped(t *testing.T) {
	tab, h, ids := syncBoxCalendars(t, "Work")
	box := tab.syncBoxes[ids["Work"]]
	if err := h.svc.Close(); err != nil {
		t.Fatal(err)
	}
	test.Tap(box)
	h.until("an error dialog", func() bool { return tab.win.Canvas().Overlays().Top() != nil })
	if msg := strings.Join(texts(tab.win.Canvas().Overlays().Top()), " "); !strings.Contains(msg, "Lull stopped running") || codeOrGoWords.MatchString(msg) {
		t.Errorf("the error says %q", msg)
	}
	h.wait()
	if box := tab.syncBoxes[ids["Work"]]; box.Checked || box.Disabled() {
		t.Errorf("the box shows ticked %v (off %v) for a change Lull never made", box.Checked, box.Disabled())
	}
}
