package service

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/lullapp/lull/calendar"
	"github.com/lullapp/lull/calendar/devsync"
	"github.com/lullapp/lull/focus"
	"github.com/lullapp/lull/internal/api"
	"github.com/lullapp/lull/internal/clock"
	"github.com/lullapp/lull/internal/radicaletest"
)

// TestPickedLogCalendarGetsTheWholeLog: B has synced a finished session to
// Lull's own log; A picks "Focus"; at B's next pointer check one
// SyncDevices follows the pick and sends B's whole log there (the first
// sync finds the log moved, the service syncs again at once with every
// session). Picking an unknown name, or while sync is off, is a bad request.
func TestPickedLogCalendarGetsTheWholeLog(t *testing.T) {
	keyring.MockInit()
	srv := radicaletest.Start(t)
	srv.MkCalendar(t, "/alice/work/")
	body := `<?xml version="1.0" encoding="utf-8"?><C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop>` +
		`<D:displayname>Focus</D:displayname></D:prop></D:set></C:mkcalendar>`
	if code, _, out := srv.Do(t, "MKCALENDAR", "/alice/focus/", body, "Content-Type", "application/xml"); code != 201 {
		t.Fatalf("MKCALENDAR: %d %s", code, out)
	}
	clk := clock.NewFake(monday)
	ctx := context.Background()
	open := func(sync bool) *Data {
		d, err := OpenData(DataOptions{Dir: t.TempDir(), Clock: clk})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		if sync {
			if _, err := d.AddSource(ctx, AddSource{Kind: calendar.SourceCalDAV, URL: srv.Base + "/alice/work/",
				User: radicaletest.User, Password: radicaletest.Password, Sync: true}); err != nil {
				t.Fatal(err)
			}
		}
		return d
	}
	if _, err := open(false).PickLogCalendar(ctx, api.PickLogCalendar{Calendar: "Focus"}); !errors.Is(err, api.ErrBadRequest) || !strings.Contains(err.Error(), "sync is off") {
		t.Errorf("pick while sync is off: %v", err)
	}
	a, b := open(true), open(true)

	eng, err := focus.NewEngine(b.Log, clk, b.FocusConfig(), focus.Deps{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := eng.Start(50 * time.Minute); err != nil {
		t.Fatal(err)
	}
	clk.Advance(20 * time.Minute)
	sess, err := eng.Stop()
	if err != nil {
		t.Fatal(err)
	}
	eng.Close()
	clk.Advance(time.Minute)
	for _, d := range []*Data{b, a} {
		if _, err := d.SyncDevices(ctx); err != nil {
			t.Fatal(err)
		}
	}
	href := "/alice/focus/" + devsync.SessionUID(b.Devices.DeviceID(), sess.ID) + ".ics"

	if _, err := a.PickLogCalendar(ctx, api.PickLogCalendar{Calendar: "Focsu"}); !errors.Is(err, api.ErrBadRequest) || !strings.Contains(err.Error(), `"Focus"`) {
		t.Errorf("unknown name: %v", err)
	}
	got, err := a.PickLogCalendar(ctx, api.PickLogCalendar{Calendar: "Focus"})
	if err != nil || got.Name != "Focus" || !got.Current {
		t.Fatalf("pick: %+v, %v", got, err)
	}
	list, err := b.LogCalendars(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range list {
		if c.Current != (c.Name == "Focus") {
			t.Errorf("b's list before its pointer check: %+v, want Focus current (the pointer's)", list)
		}
	}
	clk.Advance(devsync.PointerCheck)
	st, err := b.SyncDevices(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if code, _, obj := srv.Do(t, "GET", href, ""); code != 200 || !strings.Contains(obj, "TRANSP:TRANSPARENT") {
		t.Errorf("after one sync past its pointer check, b's session in Focus: %d %s", code, obj)
	}
	if st.LogCalendar != "Focus" || st.Pending != 0 || st.LastError != "" {
		t.Errorf("b's status = %+v", st)
	}
}
