//go:build e2e

package e2e

import (
	"context"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/lullapp/lull/app/service"
	"github.com/lullapp/lull/calendar"
	"github.com/lullapp/lull/internal/clock"
)

// TestCalDAVRadicaleLimitsAndStatus runs the CalDAV bounds against a real
// Radicale: discovery of an account with many calendars fits the answer
// caps; a CalDAV address with a password is refused as an argument of the
// real binary; `lull calendar list` says how many events a sync read; and
// a server that stops answering a sync is given up after the one operation
// deadline, keeping the last good copy and saying so.
func TestCalDAVRadicaleLimitsAndStatus(t *testing.T) {
	r := startRadicale(t)
	for _, p := range []string{calPath} {
		if code, _, body := r.do(t, "MKCALENDAR", p, ""); code != http.StatusCreated {
			t.Fatalf("MKCALENDAR %s: %d %s", p, code, body)
		}
	}
	for i := range 40 {
		p := "/alice/extra-" + string(rune('a'+i/26)) + string(rune('a'+i%26)) + "/"
		if code, _, body := r.do(t, "MKCALENDAR", p, ""); code != http.StatusCreated {
			t.Fatalf("MKCALENDAR %s: %d %s", p, code, body)
		}
	}
	// Meetings on the next three days: inside the window Lull queries.
	now := time.Now()
	var days []string
	for i := 1; i <= 3; i++ {
		days = append(days, now.AddDate(0, 0, i).Format("20060102"))
	}
	for i, day := range days {
		href := calPath + "m" + string(rune('0'+i)) + ".ics"
		body := vcal(vevent("m"+string(rune('0'+i))+"@corp", day+"T100000", day+"T110000", "Meeting"))
		if code, _, resp := r.do(t, http.MethodPut, href, body, "Content-Type", "text/calendar"); code != http.StatusCreated {
			t.Fatalf("PUT %s: %d %s", href, code, resp)
		}
	}

	// The real binary: a password in the address is refused as an
	// argument; on stdin the account is added, its 41 calendars discovered.
	if os.Getenv("E2E_REAL_KEYRING") == "1" {
		home := t.TempDir()
		withPw := strings.Replace(r.base, "http://", "http://"+davUser+":"+url.PathEscape(davPassword)+"@", 1) + "/alice/"
		out, errOut, code := runCLI(t, home, "", "calendar", "add", "caldav", withPw, "--user", davUser, "--calendar", "work")
		if code != 2 || !strings.Contains(errOut, "stdin") || strings.Contains(out+errOut, "horse") {
			t.Fatalf("a password in the address: exit %d, %q %q", code, out, errOut)
		}
		if out, errOut, code = runCLI(t, home, davPassword+"\n", "calendar", "add", "caldav", r.base+"/alice/", "--user", davUser, "--calendar", "work"); code != 0 {
			t.Fatalf("calendar add caldav: exit %d, %q %q", code, out, errOut)
		}
		if out, errOut, code = runCLI(t, home, "", "calendar", "sync"); code != 0 {
			t.Fatalf("calendar sync: exit %d, %q %q", code, out, errOut)
		}
		out, _, _ = runCLI(t, home, "", "calendar", "list")
		if !strings.Contains(out, "3 events · updated") {
			t.Errorf("calendar list:\n%s", out)
		}
		idOut, _, _ := runCLI(t, home, "", "calendar", "list", "--json")
		if strings.Contains(idOut, "horse") {
			t.Error("the password is in the calendar list")
		}
		for _, line := range strings.Split(out, "\n")[1:] {
			if f := strings.Fields(line); len(f) > 0 {
				runCLI(t, home, "", "calendar", "remove", f[0]) // drops the password from the real keyring
			}
		}
	} else {
		t.Log("E2E_REAL_KEYRING is not set: the real binary's part runs only in the e2e session")
	}

	// A proxy in front of Radicale that, once told, never answers the
	// calendar query.
	target, _ := url.Parse(r.base)
	var stall atomic.Bool
	proxy := httputil.NewSingleHostReverseProxy(target)
	front := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if stall.Load() && req.Method == "REPORT" {
			<-req.Context().Done()
			return
		}
		proxy.ServeHTTP(w, req)
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go front.Serve(ln)
	t.Cleanup(func() { front.Close() })

	keyring.MockInit()
	clk := clock.NewFake(now)
	d, err := service.OpenData(service.DataOptions{Dir: t.TempDir(), Clock: clk,
		Sources: calendar.SourceOptions{OperationTimeout: time.Second, Timeout: time.Minute}})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	st := d.Settings()
	st.Plan.Zone = "Europe/Berlin"
	if err := d.SaveSettings(st); err != nil {
		t.Fatal(err)
	}
	if _, err := d.AddSource(context.Background(), service.AddSource{Kind: calendar.SourceCalDAV,
		URL: "http://" + ln.Addr().String() + "/alice/", User: davUser, Password: davPassword, Calendar: "work"}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.SyncCalendars(context.Background()); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Hour)
	stall.Store(true)
	start := time.Now()
	rep, err := d.SyncCalendars(context.Background())
	took := time.Since(start)
	if err != nil || len(rep.Sources) != 1 || !rep.Sources[0].Stale || rep.Sources[0].Events != 3 {
		t.Fatalf("sync against a stalled server: %+v, %v", rep, err)
	}
	if took > 15*time.Second {
		t.Fatalf("the stalled sync took %v", took)
	}
	list, err := d.CalendarList()
	if err != nil {
		t.Fatal(err)
	}
	want := "error: the server did not answer in time (gave up after 1 second) — last good copy from "
	if len(list) != 1 || !strings.HasPrefix(list[0].Summary, want) || !strings.HasSuffix(list[0].Summary, " in use (3 events)") {
		t.Fatalf("list = %+v\nwant a summary starting %q", list, want)
	}
}
