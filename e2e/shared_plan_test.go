//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The shared-plan tests: two Lull data directories (two devices) on one
// real Radicale calendar with sync on (issue 16, one plan across devices).

// sharedStart is Monday 7 December 2026, 06:00 UTC: a working week ahead.
var sharedStart = time.Date(2026, 12, 7, 6, 0, 0, 0, time.UTC)

// planBlock is one block of `lull plan --format json`.
type planBlock struct {
	ID    string    `json:"id"`
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	State string    `json:"state"`
}

// sharedDevice is one data directory using the shared calendar.
type sharedDevice struct {
	name string
	env  *dayEnv
}

// needRadicale returns the session's Radicale address.
func needRadicale(t *testing.T) string {
	t.Helper()
	u := os.Getenv("RADICALE_URL")
	if u == "" {
		if os.Getenv("E2E_DESKTOP") == "1" {
			t.Fatal("RADICALE_URL is not set inside the e2e session")
		}
		t.Skip("needs RADICALE_URL (scripts/test.sh starts Radicale)")
	}
	return strings.TrimRight(u, "/")
}

// newSharedCalendar creates a fresh calendar on the session's Radicale.
func newSharedCalendar(t *testing.T, base, tag string) *dav {
	t.Helper()
	d := &dav{t: t, base: base, path: fmt.Sprintf("/%s/shared-%s-%d/", dayUser, tag, time.Now().UnixNano())}
	if code, body := d.do("MKCALENDAR", d.path, ""); code != 201 {
		t.Fatalf("MKCALENDAR: %d %s", code, body)
	}
	return d
}

// newSharedDevices makes n data directories, each with d added as a
// published CalDAV calendar with sync on, in UTC, on a fixed clock.
func newSharedDevices(t *testing.T, bin string, d *dav, n int) []*sharedDevice {
	t.Helper()
	var out []*sharedDevice
	for i := 0; i < n; i++ {
		e := &dayEnv{t: t, bin: bin, home: t.TempDir(), clock: sharedStart.Format(time.RFC3339) + ",1"}
		e.lull("", "settings", "set", "zone", "UTC")
		e.lull("pw\n", "calendar", "add", "caldav", d.base+d.path, "--user", dayUser, "--publish", "--sync", "--name", "Work")
		out = append(out, &sharedDevice{name: string(rune('A' + i)), env: e})
	}
	return out
}

// plan runs `lull plan --sync --format json` (read the calendars, plan,
// publish) and returns the plan's blocks by ID.
func (s *sharedDevice) plan() map[string]planBlock {
	s.env.t.Helper()
	out := s.env.lull("", "plan", "--sync", "--format", "json")
	var p struct {
		Blocks []planBlock `json:"blocks"`
	}
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		s.env.t.Fatalf("%s: plan json: %v\n%s", s.name, err, out)
	}
	m := map[string]planBlock{}
	for _, b := range p.Blocks {
		m[b.ID] = b
	}
	return m
}

// acceptedOf lists a plan's accepted blocks as "ID start–end", sorted.
func acceptedOf(plan map[string]planBlock) []string {
	var out []string
	for _, b := range plan {
		if b.State == "accepted" {
			out = append(out, b.ID+" "+b.Start.UTC().Format(time.RFC3339)+"–"+b.End.UTC().Format(time.RFC3339))
		}
	}
	sort.Strings(out)
	return out
}

// planOverlaps fails when two blocks of a plan that take time overlap.
func planOverlaps(t *testing.T, who string, plan map[string]planBlock) {
	t.Helper()
	var live []planBlock
	for _, b := range plan {
		if b.State != "skipped" {
			live = append(live, b)
		}
	}
	for i := range live {
		for j := i + 1; j < len(live); j++ {
			if live[i].Start.Before(live[j].End) && live[j].Start.Before(live[i].End) {
				t.Fatalf("%s: %s (%s) and %s (%s) overlap: double-booked", who, live[i].ID, live[i].State, live[j].ID, live[j].State)
			}
		}
	}
}

var (
	reUID   = regexp.MustCompile(`(?m)^UID:(lull-block-\S+)\r?$`)
	reStart = regexp.MustCompile(`(?m)^DTSTART:(\d{8}T\d{6}Z)\r?$`)
	reEnd   = regexp.MustCompile(`(?m)^DTEND:(\d{8}T\d{6}Z)\r?$`)
)

// serverBlocks reads Lull's blocks on the calendar straight from the
// server, checks none overlaps another and that no week holds more than
// the default 10 h weekly goal, and returns them as "UID start–end".
func serverBlocks(t *testing.T, d *dav) []string {
	t.Helper()
	type blk struct {
		uid        string
		start, end time.Time
	}
	var blocks []blk
	for href, body := range d.objects() {
		m := reUID.FindStringSubmatch(body)
		if m == nil {
			continue
		}
		s, e := reStart.FindStringSubmatch(body), reEnd.FindStringSubmatch(body)
		if s == nil || e == nil {
			t.Fatalf("block %s without UTC times:\n%s", href, body)
		}
		st, _ := time.Parse("20060102T150405Z", s[1])
		en, _ := time.Parse("20060102T150405Z", e[1])
		blocks = append(blocks, blk{m[1], st, en})
	}
	perWeek := map[string]time.Duration{}
	var out []string
	for i, a := range blocks {
		for _, b := range blocks[i+1:] {
			if a.start.Before(b.end) && b.start.Before(a.end) {
				t.Fatalf("the server holds overlapping blocks %s and %s: double-booked", a.uid, b.uid)
			}
		}
		y, w := a.start.ISOWeek()
		perWeek[fmt.Sprintf("%d-W%02d", y, w)] += a.end.Sub(a.start)
		out = append(out, strings.TrimPrefix(a.uid, "lull-block-")+" "+a.start.Format(time.RFC3339)+"–"+a.end.Format(time.RFC3339))
	}
	for week, total := range perWeek {
		if total > 10*time.Hour {
			t.Fatalf("the server holds %v of focus in %s, more than the 10 h goal: the week was planned twice", total, week)
		}
	}
	sort.Strings(out)
	return out
}

// TestSharedPlanTwoDevices: A plans and accepts part of the plan; B syncs
// and adopts it (same blocks, same times, accepted, nothing planned over
// them, nothing written twice); B accepts one of its proposals and A shows
// it after its sync; A skips a block and B shows it skipped after its
// sync.
func TestSharedPlanTwoDevices(t *testing.T) {
	base := needRadicale(t)
	bin := testBinary(t)
	d := newSharedCalendar(t, base, "two")
	devs := newSharedDevices(t, bin, d, 2)
	a, b := devs[0], devs[1]

	step(t, "1. A plans and accepts its first three blocks")
	planA := a.plan()
	var ids []string
	for id, blk := range planA {
		if blk.State == "proposed" {
			ids = append(ids, id)
		}
	}
	sort.Slice(ids, func(i, j int) bool { return planA[ids[i]].Start.Before(planA[ids[j]].Start) })
	if len(ids) < 5 {
		t.Fatalf("A proposes only %d blocks", len(ids))
	}
	a.env.lull("", append([]string{"plan", "accept"}, ids[:3]...)...)
	onServer := serverBlocks(t, d)
	if len(onServer) != 3 {
		t.Fatalf("after A accepted 3 blocks the server holds %v", onServer)
	}
	objects := d.objects()

	step(t, "2. B syncs: it adopts A's accepted blocks and plans only around them")
	planB := b.plan()
	if got, want := acceptedOf(planB), acceptedOf(a.plan()); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("B's accepted blocks:\n%s\nA's:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	planOverlaps(t, "B", planB)
	if got := serverBlocks(t, d); strings.Join(got, "\n") != strings.Join(onServer, "\n") {
		t.Fatalf("B's sync changed the server:\n%v\n→\n%v", onServer, got)
	}
	for href, body := range d.objects() {
		if href == d.path+"lull-planner.ics" {
			continue
		}
		if objects[href] != body {
			t.Fatalf("B's sync rewrote %s (A's block, or something new):\n%s\n→\n%s", href, objects[href], body)
		}
	}

	step(t, "3. B accepts one of its proposals; A shows it after its sync")
	var prop string
	for id, blk := range planB {
		if blk.State == "proposed" && (prop == "" || blk.Start.Before(planB[prop].Start)) {
			prop = id
		}
	}
	if prop == "" {
		t.Fatal("B proposes nothing although A accepted only part of the week")
	}
	b.env.lull("", "plan", "accept", prop)
	planA = a.plan()
	if got := planA[prop]; got.State != "accepted" || !got.Start.Equal(planB[prop].Start) {
		t.Fatalf("accepted on B, A has %s as %+v", prop, got)
	}
	planOverlaps(t, "A", planA)

	step(t, "4. A skips a block; B shows it skipped after its sync, and the server no longer holds it")
	a.env.lull("", "plan", "skip", ids[0])
	planB = b.plan()
	if got := planB[ids[0]]; got.State != "skipped" {
		t.Fatalf("skipped on A, B has %s as %+v", ids[0], got)
	}
	for _, line := range serverBlocks(t, d) {
		if strings.HasPrefix(line, ids[0]+" ") {
			t.Fatalf("the skipped block is still on the server: %s", line)
		}
	}
	if got, want := acceptedOf(planB), acceptedOf(a.plan()); strings.Join(got, "\n") != strings.Join(want, "\n") || len(got) != 3 {
		t.Fatalf("after the skip B has:\n%s\nA has:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestSharedPlanDevicesPlanAtOnce: in several rounds, on fresh calendars,
// A and B plan and accept everything at the same moment (B also sees a
// morning commitment A does not, so their plans differ). The server never
// holds overlapping blocks or a week planned twice, and after one more
// sync each both show the server's plan.
func TestSharedPlanDevicesPlanAtOnce(t *testing.T) {
	base := needRadicale(t)
	bin := testBinary(t)
	gym := writeICS(t, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:gym@test\r\nDTSTAMP:20261201T000000Z\r\n"+
		"DTSTART:20261207T083000Z\r\nDTEND:20261207T093000Z\r\nRRULE:FREQ=DAILY;COUNT=30\r\nSUMMARY:Gym\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
	const rounds = 4
	for round := 0; round < rounds; round++ {
		d := newSharedCalendar(t, base, fmt.Sprintf("race%d", round))
		devs := newSharedDevices(t, bin, d, 2)
		devs[1].env.lull("", "calendar", "add", "file", gym, "--name", "Gym")
		var wg sync.WaitGroup
		start := make(chan struct{})
		var waited atomic.Int32
		for _, v := range devs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				// Not Fatal from a goroutine: run the commands directly.
				for _, args := range [][]string{{"plan", "--sync"}, {"plan", "accept", "--all"}} {
					out, errOut, code := runWith(t, bin, v.env.env(), "", args...)
					if code != 0 {
						t.Errorf("round %d: %s: lull %s: exit %d\n%s%s", round, v.name, strings.Join(args, " "), code, out, errOut)
					}
					if strings.Contains(errOut, "another of your devices is changing the shared plan") {
						waited.Add(1)
					}
				}
			}()
		}
		close(start)
		wg.Wait()
		if t.Failed() {
			t.FailNow()
		}
		first := serverBlocks(t, d)
		if len(first) == 0 {
			t.Fatalf("round %d: nothing published", round)
		}
		for _, v := range devs {
			planOverlaps(t, v.name, v.plan())
		}
		a := devs[0].plan()
		server := serverBlocks(t, d)
		for _, v := range devs {
			p := a
			if v != devs[0] {
				p = v.plan()
			}
			if got := acceptedOf(p); strings.Join(got, "\n") != strings.Join(server, "\n") {
				t.Fatalf("round %d: %s's accepted plan:\n%s\nthe server's:\n%s", round, v.name, strings.Join(got, "\n"), strings.Join(server, "\n"))
			}
			planOverlaps(t, v.name, p)
		}
		t.Logf("round %d: %d blocks on the server after the race, %d after both synced; %d publish(es) found the other device writing", round, len(first), len(server), waited.Load())
	}
}

// writeICS writes a calendar file for a test and returns its path.
func writeICS(t *testing.T, body string) string {
	t.Helper()
	p := t.TempDir() + "/cal.ics"
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
