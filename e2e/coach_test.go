//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// coachCalendar is a recurring meeting of four, organized by someone else,
// with only a join link as description, every day for weeks around now:
// an async candidate for the coach's meeting audit whatever today is.
func coachCalendar(now time.Time) string {
	start := now.AddDate(0, 0, -28).Format("20060102")
	return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Lull e2e//coach//EN\r\n" +
		"BEGIN:VEVENT\r\nUID:weekly-sync@e2e\r\nDTSTAMP:20260101T000000Z\r\nSUMMARY:Weekly sync\r\n" +
		"DTSTART:" + start + "T100000\r\nDTEND:" + start + "T104500\r\nRRULE:FREQ=DAILY;COUNT=60\r\n" +
		"ORGANIZER:mailto:boss@example.com\r\nATTENDEE:mailto:me@example.com\r\nATTENDEE:mailto:a@example.com\r\n" +
		"ATTENDEE:mailto:b@example.com\r\nATTENDEE:mailto:boss@example.com\r\n" +
		"DESCRIPTION:Join: https://meet.example.com/weekly\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
}

type coachJSON struct {
	Week        string `json:"week"`
	Suggestions []struct {
		ID      string `json:"id"`
		Kind    string `json:"kind"`
		Title   string `json:"title"`
		Why     string `json:"why"`
		State   string `json:"state"`
		Changed string `json:"changed"`
	} `json:"suggestions"`
}

func coachNow(t *testing.T, home string) coachJSON {
	t.Helper()
	var c coachJSON
	if err := json.Unmarshal([]byte(mustCLI(t, home, "coach", "--json")), &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestCoachOnTheRealBinary: a week seeded through the CLI and the API (a
// calendar with a recurring meeting, 60 notifications from one source in a
// digest nobody opened) makes `lull coach --json` offer batching that
// source and the meeting audit's async candidate; `lull coach apply ID`
// changes the setting and says what changed, and the suggestion then
// shows as applied; a meeting-audit item cannot be applied, only
// dismissed. The Report tab's Coach section is shot (docs/coach.png with
// LULL_UPDATE_DOCS=1).
func TestCoachOnTheRealBinary(t *testing.T) {
	needDesktop(t)
	ownWatcher(t) // a panel, so the window shows no "no tray" notice
	home := onboardedHome(t)
	far := time.Now().Add(12 * time.Hour)
	times := far.Format("15:04") + ", " + far.Add(time.Minute).Format("15:04")
	mustCLI(t, home, "settings", "set", "digest-times", times)
	mustCLI(t, home, "settings", "set", "user-addresses", "me@example.com")
	ics := filepath.Join(t.TempDir(), "work.ics")
	if err := os.WriteFile(ics, []byte(coachCalendar(time.Now())), 0o644); err != nil {
		t.Fatal(err)
	}
	mustCLI(t, home, "calendar", "add", "file", ics, "--name", "Work")
	app := startApp(t, home)
	app.waitAPI(90 * time.Second)

	c := newAPIClient(t, home)
	var items []string
	for i := range 60 {
		items = append(items, fmt.Sprintf(`{"source":"ci","title":"build %d finished","body":"job %d"}`, i, i))
	}
	if code, body, err := c.post("/v1/notifications", "["+strings.Join(items, ",")+"]"); err != nil || code != http.StatusCreated {
		t.Fatalf("notifications: %d %v %.200s", code, err, body)
	}
	mustCLI(t, home, "digest", "now")

	got := coachNow(t, home)
	var batch, async string
	for _, s := range got.Suggestions {
		switch {
		case s.Kind == "batch" && strings.HasPrefix(s.Title, "Batch ci to the "):
			batch = s.ID
		case s.Kind == "meeting-async" && s.Title == "Could 'Weekly sync' be async?":
			async = s.ID
		}
	}
	if batch == "" || async == "" {
		t.Fatalf("coach offers no batch for ci or no async candidate: %+v", got)
	}
	out := mustCLI(t, home, "coach", "apply", batch)
	want := "ci " + far.Add(time.Minute).Format("15:04")
	if !strings.HasPrefix(out, "Applied: ci now comes only in the ") {
		t.Fatalf("coach apply: %q", out)
	}
	var st struct {
		SourceDigest []string `json:"source_digest"`
	}
	if err := json.Unmarshal([]byte(mustCLI(t, home, "settings", "show", "--json")), &st); err != nil {
		t.Fatal(err)
	}
	if len(st.SourceDigest) != 1 || st.SourceDigest[0] != want {
		t.Fatalf("digest-only after apply = %v, want [%s]", st.SourceDigest, want)
	}
	if _, errOut, code := runCLI(t, home, "", "coach", "apply", async); code != 2 || !strings.Contains(errOut, "meeting audit") {
		t.Fatalf("applying an audit item: exit %d, %q", code, errOut)
	}
	for _, s := range coachNow(t, home).Suggestions {
		if s.ID == batch && (s.State != "applied" || !strings.Contains(s.Changed, "ci now comes only in the")) {
			t.Fatalf("after apply: %+v", s)
		}
	}

	win := windowID(t, 60*time.Second)
	xdotool(t, "windowfocus", "--sync", win)
	xdotool(t, "mousemove", "--window", win, "5", "5")
	prev := steady(t, win, "e2e-coach-before.png")
	shot := settled(t, win, "e2e-coach-report.png", prev, func() { xdotool(t, "key", "--window", win, "ctrl+4") })
	if os.Getenv("LULL_UPDATE_DOCS") == "1" {
		savePNG(t, shot, filepath.Join(repoRoot(), "docs", "coach.png"))
	}
	mustCLI(t, home, "coach", "dismiss", async)
	for _, s := range coachNow(t, home).Suggestions {
		if s.ID == async {
			t.Fatalf("dismissed %s still listed", async)
		}
	}
}
