package app

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/lullapp/lull/app/service"
	"github.com/lullapp/lull/calendar"
	"github.com/lullapp/lull/internal/radicaletest"
)

// TestSettingsPicksTheFocusLogCalendar: with sync on, "Your devices" has a
// "Focus log" select listing the synced account's calendars with the one
// in use chosen; choosing another writes the pick to the server for every
// device, and the select and the sync state follow.
func TestSettingsPicksTheFocusLogCalendar(t *testing.T) {
	srv := radicaletest.Start(t)
	srv.MkCalendar(t, "/alice/work/")
	body := `<?xml version="1.0" encoding="utf-8"?><C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop>` +
		`<D:displayname>Focus</D:displayname></D:prop></D:set></C:mkcalendar>`
	if code, _, out := srv.Do(t, "MKCALENDAR", "/alice/focus/", body, "Content-Type", "application/xml"); code != 201 {
		t.Fatalf("MKCALENDAR: %d %s", code, out)
	}
	l := startLull(t, lullSetup{now: uiT0, zone: "UTC"})
	ctx := context.Background()
	if _, err := l.svc.AddSource(ctx, service.AddSource{Kind: calendar.SourceCalDAV, URL: srv.Base + "/alice/work/",
		User: radicaletest.User, Password: radicaletest.Password, Sync: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := l.svc.SyncDevices(ctx); err != nil {
		t.Fatal(err)
	}
	tab, _, h := showSettings(t, l)
	sel := tab.logs.sel
	h.until("the calendars for the focus log are listed", func() bool { return len(sel.Options) > 0 })
	want := []string{"alice/work (the synced calendar, as free events)", "Focus", "Lull focus log"}
	if !slices.Equal(sel.Options, want) || sel.Selected != "Lull focus log" || sel.Disabled() {
		t.Fatalf("focus log select: %q, chosen %q; want %q with Lull focus log chosen", sel.Options, sel.Selected, want)
	}

	sel.SetSelected("Focus")
	pointer := func() string {
		_, _, obj := srv.Do(t, "GET", "/alice/work/lull-focus-log.ics", "")
		return obj
	}
	h.until("the pick is on the server", func() bool { return strings.Contains(pointer(), "X-LULL-LOG-CALENDAR:/alice/focus/") })
	h.wait()
	if st, err := l.svc.SyncStatus(); err != nil || st.LogCalendar != "Focus" {
		t.Errorf("sync state after the pick: %+v, %v", st, err)
	}
	h.until("the select shows the pick, read again", func() bool { return sel.Selected == "Focus" && len(sel.Options) == 3 })
}
