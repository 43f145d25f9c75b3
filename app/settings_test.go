package app

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
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
)

func showSettings(t *testing.T, svc *service.Service) (*settingsTab, fyne.Window) {
	t.Helper()
	test.NewTempApp(t)
	w := test.NewTempWindow(t, nil)
	tab := newSettingsTab(svc, w)
	// Autostart goes to a temp dir, never to the real session.
	cfg := t.TempDir()
	tab.getenv = func(k string) string {
		if k == "XDG_CONFIG_HOME" {
			return cfg
		}
		return ""
	}
	tab.executable = func() (string, error) { return "/usr/local/bin/lull", nil }
	tab.Refresh()
	w.SetContent(tab.Content())
	w.Resize(fyne.NewSize(900, 1400))
	t.Cleanup(tab.adder.wait) // before the service closes
	return tab, w
}

func TestSettingsShowsDefaults(t *testing.T) {
	svc, _ := openLull(t, berlin(t, 2026, 11, 18, 15, 0))
	tab, w := showSettings(t, svc)
	want := map[string]string{
		"goal": "10", "hours-mon": "09:00–17:00", "hours-fri": "09:00–17:00", "hours-sat": "", "hours-sun": "",
		"zone": lullZone, "preferred": "2 h", "min": "1 h", "cap": "4 h", "buffer": "10 min", "lunch": "12:00–13:00",
		"digest": "09:00, 12:30, 16:30", "vip": "", "keywords": "",
	}
	for k, v := range want {
		if got := tab.entries[k].Text; got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if tab.dnd.Selected != "Automatic (detect the desktop)" || tab.prefer.Selected != "Any time" {
		t.Errorf("dnd %q, prefer %q", tab.dnd.Selected, tab.prefer.Selected)
	}
	if !tab.checks["capture"].Checked || tab.checks["batch"].Checked || tab.checks["autostart"].Checked {
		t.Error("checks differ from the defaults")
	}
	if tab.buttons["remove-sample"].Visible() {
		t.Error("remove sample shown without a sample")
	}
	test.AssertRendersToMarkup(t, "settings_defaults.xml", w.Canvas())
}

func TestSettingsSaveRoundTrip(t *testing.T) {
	svc, _ := openLull(t, berlin(t, 2026, 11, 18, 15, 0))
	tab, _ := showSettings(t, svc)
	before := svc.Settings()

	set := map[string]string{
		"goal": "12.5", "hours-mon": "08:30-16:30", "hours-fri": "9:00 to 13:00", "hours-sat": "10:00–12:00",
		"preferred": "90m", "min": "45", "cap": "3 h", "buffer": "15 min", "lunch": "off",
		"digest": "08:00, 17:00", "vip": "PagerDuty, boss@example.com,", "keywords": " outage ",
	}
	for k, v := range set {
		tab.entries[k].SetText(v)
	}
	tab.prefer.SetSelected("Mornings")
	tab.dnd.SetSelected("dunst")
	tab.checks["batch"].SetChecked(true)
	test.Tap(tab.buttons["save"])

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

	// A fresh tab shows what was saved, in the tab's own notation.
	tab2, _ := showSettings(t, svc)
	for k, v := range map[string]string{"goal": "12.5", "hours-mon": "08:30–16:30", "preferred": "1 h 30 min", "min": "45 min", "buffer": "15 min", "lunch": "", "vip": "PagerDuty, boss@example.com"} {
		if got := tab2.entries[k].Text; got != v {
			t.Errorf("reloaded %s = %q, want %q", k, got, v)
		}
	}
	if tab2.dnd.Selected != "dunst" || tab2.prefer.Selected != "Mornings" || !tab2.checks["batch"].Checked {
		t.Errorf("reloaded selects %q %q, batch %v", tab2.dnd.Selected, tab2.prefer.Selected, tab2.checks["batch"].Checked)
	}
}

func TestSettingsValidationErrors(t *testing.T) {
	svc, _ := openLull(t, berlin(t, 2026, 11, 18, 15, 0))
	tab, w := showSettings(t, svc)
	before := svc.Settings()
	tests := []struct {
		key, value string
		errField   string
		want       string
	}{
		{"goal", "lots", "goal", `Weekly goal "lots": enter hours`},
		{"goal", "-3", "goal", `weekly goal "-3": enter hours between 0 and 168, e.g. 10 or 7.5`},
		{"goal", "200", "goal", `weekly goal "200": enter hours between 0 and 168`},
		{"min", "10m", "min", `minimum block "10 min": must be at least 30 min, in whole 5 min steps, e.g. 1 h`},
		{"preferred", "30m", "preferred", `preferred block "30 min": must be at least the minimum block (1 h), in whole 5 min steps, e.g. 2 h`},
		{"cap", "soon", "cap", `"soon": enter a length such as 2 h, 90 min or 1 h 30 min`},
		{"hours-tue", "17:00-09:00", "hours-tue", `Tuesday working hours "17:00–09:00": must end after they start, e.g. 09:00–17:00`},
		{"hours-wed", "9 to 5", "hours-wed", `Wednesday: "9 to 5": enter a range such as 09:00–17:00`},
		{"lunch", "12:03–13:00", "lunch", `lunch "12:03–13:00": must be on a 5 min grid`},
		{"digest", "09:00, 25:00", "digest", `digest time "25:00": enter times of day such as 09:00, 12:30, 16:30`},
		{"digest", "nine", "digest", `digest time "nine": enter times of day such as 09:00`},
		{"zone", "Mars/Olympus_Mons", "zone", `time zone "Mars/Olympus_Mons" is unknown: enter a name such as Europe/Berlin`},
	}
	for _, tc := range tests {
		test.Tap(tab.buttons["revert"])
		tab.entries[tc.key].SetText(tc.value)
		test.Tap(tab.buttons["save"])
		l := tab.errs[tc.errField]
		if !l.Visible() || !strings.Contains(strings.ToLower(l.Text), strings.ToLower(tc.want)) {
			t.Errorf("%s=%q: error under %s is %q (shown %v), want it to contain %q", tc.key, tc.value, tc.errField, l.Text, l.Visible(), tc.want)
		}
		for k, other := range tab.errs {
			if k != tc.errField && other.Visible() {
				t.Errorf("%s=%q: error also under %s: %q", tc.key, tc.value, k, other.Text)
			}
		}
		if !strings.HasPrefix(tab.status.Text, "Not saved: ") {
			t.Errorf("%s=%q: status %q", tc.key, tc.value, tab.status.Text)
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

func TestSettingsRefreshKeepsEdits(t *testing.T) {
	svc, _ := openLull(t, berlin(t, 2026, 11, 18, 15, 0))
	tab, _ := showSettings(t, svc)

	// Changed elsewhere (CLI, API, onboarding) while the tab shows no edits:
	// Refresh shows the new value.
	st := svc.Settings()
	st.Plan.WeeklyGoal = 6 * time.Hour
	if err := svc.Data.SaveSettings(st); err != nil {
		t.Fatal(err)
	}
	tab.Refresh()
	if got := tab.entries["goal"].Text; got != "6" {
		t.Errorf("goal after an outside change %q, want 6", got)
	}

	// With an unsaved edit, a Refresh (a background sync) keeps it.
	tab.entries["buffer"].SetText("20m")
	tab.entries["goal"].SetText("nonsense")
	tab.Refresh()
	if tab.entries["buffer"].Text != "20m" || tab.entries["goal"].Text != "nonsense" {
		t.Errorf("edits lost on Refresh: buffer %q goal %q", tab.entries["buffer"].Text, tab.entries["goal"].Text)
	}
	test.Tap(tab.buttons["revert"])
	if tab.entries["buffer"].Text != "10 min" || tab.entries["goal"].Text != "6" {
		t.Errorf("after revert: buffer %q goal %q", tab.entries["buffer"].Text, tab.entries["goal"].Text)
	}
}

func TestSettingsErrorField(t *testing.T) {
	tests := map[string]string{
		"invalid settings: invalid planner settings: preferred block 30m0s must be at least the minimum block 1h0m0s": "preferred",
		"invalid settings: invalid planner settings: minimum block 10m0s must be at least 30 min":                     "min",
		"invalid settings: invalid planner settings: preferred time of day \"x\" must be morning, afternoon or any":   "prefer",
		"invalid settings: do-not-disturb \"x\": want auto, off or one of auto, dunst":                                "dnd",
		"invalid settings: invalid planner settings: Sunday working hours 10:00–09:00 must end after they start":      "hours-sun",
		"disk full": "",
	}
	for msg, want := range tests {
		if got := settingsErrorField(errString(msg)); got != want {
			t.Errorf("%q → %q, want %q", msg, got, want)
		}
	}
}

type errString string

func (e errString) Error() string { return string(e) }

func TestSettingsAutostartCheck(t *testing.T) {
	svc, _ := openLull(t, berlin(t, 2026, 11, 18, 15, 0))
	tab, _ := showSettings(t, svc)
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
	svc, _ := openLull(t, berlin(t, 2026, 11, 18, 15, 0))
	tab, _ := showSettings(t, svc)
	if got := settingsRowTexts(tab); len(got) != 1 || !strings.HasPrefix(got[0], "No calendars yet") {
		t.Errorf("empty list shows %q", got)
	}
	path := filepath.Join(t.TempDir(), "work.ics")
	if err := os.WriteFile(path, []byte(settingsTestICS), 0o600); err != nil {
		t.Fatal(err)
	}
	tab.adder.add(service.AddSource{Kind: calendar.SourceFile, Path: path, Name: "Work"})
	tab.adder.wait()
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
	if cfg, _ := svc.Sources.Config(id); !cfg.AllDayFree {
		t.Error("ticking the box did not set all-day events free")
	}
	tab.refreshSources()
	if !tab.allDayFree[id].Checked {
		t.Error("the box does not show the stored setting")
	}
	test.Tap(tab.allDayFree[id])
	if cfg, _ := svc.Sources.Config(id); cfg.AllDayFree {
		t.Error("unticking the box did not set all-day events busy")
	}

	// Removing goes through a confirmation.
	test.Tap(tab.removeButtons[id])
	if tab.win.Canvas().Overlays().Top() == nil {
		t.Fatal("no confirmation")
	}
	tab.removeSource(id)
	tab.adder.wait()
	if list, _ := svc.Sources.ListSources(); len(list) != 0 {
		t.Errorf("still listed: %v", list)
	}

	// A bad file is a readable error, not a crash; nothing is added.
	tab.adder.add(service.AddSource{Kind: calendar.SourceFile, Path: filepath.Join(t.TempDir(), "missing.ics")})
	tab.adder.wait()
	if list, _ := svc.Sources.ListSources(); len(list) != 0 {
		t.Errorf("a missing file was added: %v", list)
	}
}

func TestSettingsRemoveSample(t *testing.T) {
	svc, _ := openLull(t, berlin(t, 2026, 11, 18, 15, 0))
	cfg, err := addSampleCalendar(svc)
	if err != nil {
		t.Fatal(err)
	}
	tab, _ := showSettings(t, svc)
	if !tab.buttons["remove-sample"].Visible() {
		t.Fatal("no remove-sample button with the sample added")
	}
	if rows := strings.Join(settingsRowTexts(tab), "\n"); !strings.Contains(rows, sampleName) || !strings.Contains(rows, "Sample calendar bundled with Lull") {
		t.Errorf("sample row:\n%s", rows)
	}
	test.Tap(tab.buttons["remove-sample"]) // one click, no confirmation
	tab.adder.wait()
	if _, err := svc.Sources.Config(cfg.ID); err == nil {
		t.Error("sample source still there")
	}
	if id := svc.Settings().SampleSource; id != "" {
		t.Errorf("SampleSource still %q", id)
	}
	if tab.buttons["remove-sample"].Visible() {
		t.Error("remove-sample still shown")
	}
}

// fakeCalDAVDiscovery answers a CalDAV client's discovery for alice/secret
// with one calendar /alice/work/ ("Work"), and an empty calendar query.
func fakeCalDAVDiscovery(t *testing.T) *httptest.Server {
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
				`<D:response><D:href>/alice/work/</D:href><D:propstat><D:prop><D:resourcetype><D:collection/><C:calendar/></D:resourcetype>` +
				`<D:displayname>Work</D:displayname><C:supported-calendar-component-set><C:comp name="VEVENT"/></C:supported-calendar-component-set></D:prop>` + ok + `</D:propstat></D:response>`
		case r.Method == "REPORT" && r.URL.Path == "/alice/work/":
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
	svc, _ := openLull(t, berlin(t, 2026, 11, 18, 15, 0))
	tab, w := showSettings(t, svc)
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
	tab.adder.wait()
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
	tab.adder.wait()
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
	tab.adder.wait()
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

func TestSettingsParsers(t *testing.T) {
	durs := map[string]time.Duration{"2h": 2 * time.Hour, "90m": 90 * time.Minute, "1h 30m": 90 * time.Minute, "30 min": 30 * time.Minute, "45": 45 * time.Minute, "1.5h": 90 * time.Minute,
		"1 h 30 min": 90 * time.Minute, "2 h": 2 * time.Hour, "10 min": 10 * time.Minute, "90 minutes": 90 * time.Minute, "2 hours": 2 * time.Hour, "1 hour 5 mins": 65 * time.Minute}
	for in, want := range durs {
		if got, err := settingsParseDuration(in); err != nil || got != want {
			t.Errorf("duration %q = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "soon", "2x"} {
		if _, err := settingsParseDuration(bad); err == nil {
			t.Errorf("duration %q accepted", bad)
		}
	}
	goals := map[string]time.Duration{"10": 10 * time.Hour, "7.5": 7*time.Hour + 30*time.Minute, "7,5": 7*time.Hour + 30*time.Minute, "10 h": 10 * time.Hour, "7h30m": 7*time.Hour + 30*time.Minute, "0": 0}
	for in, want := range goals {
		if got, err := settingsParseGoal(in); err != nil || got != want {
			t.Errorf("goal %q = %v, %v; want %v", in, got, err, want)
		}
	}
	spans := map[string]calendar.Span{
		"": {}, "off": {}, "09:00–17:00": {Start: calendar.At(9, 0), End: calendar.At(17, 0)},
		"9:00-17:30": {Start: calendar.At(9, 0), End: calendar.At(17, 30)}, "08:00 to 24:00": {Start: calendar.At(8, 0), End: calendar.At(24, 0)},
	}
	for in, want := range spans {
		if got, err := settingsParseSpan(in); err != nil || got != want {
			t.Errorf("span %q = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"9-5", "09:00", "09:00-17:00-18:00", "25:00-26:00"} {
		if _, err := settingsParseSpan(bad); err == nil {
			t.Errorf("span %q accepted", bad)
		}
	}
	for d, want := range map[time.Duration]string{2 * time.Hour: "2 h", 90 * time.Minute: "1 h 30 min", 10 * time.Minute: "10 min", 0: "0 min"} {
		if got := durText(d); got != want {
			t.Errorf("text of %v = %q, want %q", d, got, want)
		}
	}
	// What a field shows reads back as the same length, for every length
	// on the minute up to a day.
	for d := time.Duration(0); d <= 24*time.Hour; d += time.Minute {
		if got, err := settingsParseDuration(durText(d)); err != nil || got != d {
			t.Fatalf("%v shows as %q, which reads back as %v, %v", d, durText(d), got, err)
		}
	}
}

// TestSettingsWheelScrollsOverFields: the mouse wheel over a text field
// scrolls the page (a field used to take the wheel for itself).
func TestSettingsWheelScrollsOverFields(t *testing.T) {
	svc, _ := openLull(t, berlin(t, 2026, 11, 18, 15, 0))
	tab, w := showSettings(t, svc)
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
	svc, _ := openLull(t, berlin(t, 2026, 11, 18, 15, 0))
	tab, w := showSettings(t, svc)
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
	if tab.status.Text != "Saved at 15:00. Lull re-plans with the new settings." || tab.status.Importance != widget.SuccessImportance {
		t.Errorf("after Save: %q", tab.status.Text)
	}
}

// TestSettingsErrorClearsWhenFixed: a field's error goes as soon as what
// it holds is right, without pressing Save again; a message still true is
// kept up to date.
func TestSettingsErrorClearsWhenFixed(t *testing.T) {
	svc, _ := openLull(t, berlin(t, 2026, 11, 18, 15, 0))
	tab, _ := showSettings(t, svc)
	for _, tc := range []struct{ key, bad, worse, good string }{
		{"goal", "lots", "-3", "12"},
		{"min", "soon", "10m", "45 min"},
		{"digest", "nine", "25:00", "9am, 17:00"},
		{"hours-tue", "9 to 5", "17:00-09:00", "08:00–16:00"},
		{"zone", "Mars/Olympus_Mons", "Atlantis", "Europe/Berlin"},
	} {
		test.Tap(tab.buttons["revert"])
		tab.entries[tc.key].SetText(tc.bad)
		test.Tap(tab.buttons["save"])
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
