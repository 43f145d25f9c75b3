package app

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/lullapp/lull/app/service"
	"github.com/lullapp/lull/calendar"
)

// blockStates reads the stored state of every upcoming block, by ID.
func blockStates(t *testing.T, h *harness) map[string]calendar.BlockState {
	t.Helper()
	blocks, err := h.svc.UpcomingBlocks()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]calendar.BlockState{}
	for _, b := range blocks {
		out[b.ID] = b.State
	}
	return out
}

func TestPlanTabListsBlocksWithReasons(t *testing.T) {
	h := newHarness(t)
	h.ui.selectTab(tabPlan)
	h.wait()
	p := h.ui.plan
	if len(p.rows) != 0 || !p.acceptAll.Disabled() {
		t.Fatal("blocks or an enabled Accept all before any sync")
	}
	h.sync()
	blocks, err := h.svc.UpcomingBlocks()
	if err != nil {
		t.Fatal(err)
	}
	if len(blocks) == 0 {
		t.Fatal("the planner proposed nothing for testdata/week.ics")
	}
	if len(p.rows) != len(blocks) || len(p.order) != len(blocks) {
		t.Fatalf("%d rows for %d blocks", len(p.rows), len(blocks))
	}
	last := blocks[len(blocks)-1]
	if days := last.Start.Sub(uiT0); days > 15*24*time.Hour {
		t.Errorf("a block %v after now: beyond the 14-day horizon", days)
	}
	for i, b := range blocks {
		r := p.rows[b.ID]
		if p.order[i] != b.ID {
			t.Errorf("row %d is %s, want %s (time order)", i, p.order[i], b.ID)
		}
		if r.reason.Text == "" || r.reason.Text != b.Reason {
			t.Errorf("block %s shows reason %q, want %q", b.ID, r.reason.Text, b.Reason)
		}
		if want := b.Start.Format("15:04") + "–" + b.End.Format("15:04"); r.when.Text != want {
			t.Errorf("block %s shows %q, want %q", b.ID, r.when.Text, want)
		}
		if r.state.Text != "proposed" || r.accept.Disabled() || r.skip.Disabled() {
			t.Errorf("block %s: state %q, accept off %v, skip off %v", b.ID, r.state.Text, r.accept.Disabled(), r.skip.Disabled())
		}
	}
	if !strings.HasPrefix(p.summary.Text, "Next 14 days: "+strconv.Itoa(len(blocks))+" proposed, 0 accepted") {
		t.Errorf("summary %q", p.summary.Text)
	}
	if p.acceptAll.Disabled() {
		t.Error("Accept all is off with proposals")
	}
	test.AssertRendersToMarkup(t, "plan_proposed.xml", h.ui.win.Canvas())
}

func TestPlanAcceptSkipAndAcceptAll(t *testing.T) {
	h := newHarness(t)
	h.sync()
	h.ui.selectTab(tabPlan)
	h.wait()
	p := h.ui.plan
	if len(p.order) < 3 {
		t.Fatalf("need 3 blocks, have %d", len(p.order))
	}
	first, second := p.order[0], p.order[1]

	test.Tap(p.rows[first].accept)
	h.wait()
	if got := blockStates(t, h)[first]; got != calendar.StateAccepted {
		t.Fatalf("after Accept the block is %q", got)
	}
	if r := p.rows[first]; r.state.Text != "accepted" || !r.accept.Disabled() || r.skip.Disabled() {
		t.Errorf("accepted row: state %q, accept off %v, skip off %v", r.state.Text, r.accept.Disabled(), r.skip.Disabled())
	}

	test.Tap(p.rows[second].skip)
	h.wait()
	if got := blockStates(t, h)[second]; got != calendar.StateSkipped {
		t.Fatalf("after Skip the block is %q", got)
	}
	if r := p.rows[second]; r.state.Text != "skipped" || !r.skip.Disabled() {
		t.Errorf("skipped row: state %q, skip off %v", r.state.Text, r.skip.Disabled())
	}

	test.Tap(p.acceptAll)
	h.wait()
	for id, st := range blockStates(t, h) {
		if st == calendar.StateProposed {
			t.Errorf("block %s still proposed after Accept all", id)
		}
	}
	if !p.acceptAll.Disabled() {
		t.Error("Accept all still on with nothing proposed")
	}
	if !strings.Contains(p.summary.Text, " 0 proposed") {
		t.Errorf("summary %q", p.summary.Text)
	}
	// The accepted block is now Today's next block.
	next, _ := h.svc.NextBlock()
	if !strings.HasPrefix(h.ui.today.next.Text, whenLabel(next.Start, uiT0, time.UTC)+"–") {
		t.Errorf("Today's next block %q after accepting, want %s", h.ui.today.next.Text, next.Start)
	}
}

func TestPlanReplanShowsProgressAndSources(t *testing.T) {
	h := newHarness(t)
	h.ui.selectTab(tabPlan)
	h.wait()
	p := h.ui.plan
	if got := p.sourceRows; len(got) != 1 {
		t.Fatalf("%d calendars listed, want 1", len(got))
	}
	for _, l := range p.sourceRows {
		// Adding a file calendar reads it once (its events are counted at
		// the first sync).
		if !strings.HasPrefix(l.Text, "Work (file) · ") || !strings.HasSuffix(l.Text, "updated 08:00") {
			t.Errorf("before sync: %q", l.Text)
		}
	}

	// A second calendar that goes missing after its first sync turns stale.
	dir := t.TempDir()
	extra := filepath.Join(dir, "extra.ics")
	src, err := os.ReadFile(filepath.Join("testdata", "week.ics"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(extra, src, 0o600); err != nil {
		t.Fatal(err)
	}
	// Data.AddSource: stored without the automatic sync, so the Re-plan
	// button is what plans.
	cfg, err := h.svc.Data.AddSource(t.Context(), service.AddSource{Kind: calendar.SourceFile, Path: extra, Name: "Extra"})
	if err != nil {
		t.Fatal(err)
	}

	test.Tap(p.replan)
	if !p.progress.Visible() || !p.replan.Disabled() {
		t.Error("no progress shown while re-planning")
	}
	h.wait()
	if p.progress.Visible() || p.replan.Disabled() {
		t.Error("progress still shown after re-planning")
	}
	if len(p.rows) == 0 {
		t.Fatal("re-plan produced no blocks")
	}
	if !strings.Contains(p.summary.Text, "Re-planned from 2 calendars: "+strconv.Itoa(len(p.rows))+" added, 0 moved, 0 removed.") {
		t.Errorf("summary %q", p.summary.Text)
	}
	for id, l := range p.sourceRows {
		if !strings.HasSuffix(l.Text, "(file) · 3 events · updated 08:00") {
			t.Errorf("source %s: %q", id, l.Text)
		}
	}

	if err := os.Remove(extra); err != nil {
		t.Fatal(err)
	}
	h.advance(30 * time.Minute)
	test.Tap(p.replan)
	h.wait()
	l := p.sourceRows[cfg.ID]
	if !strings.HasPrefix(l.Text, "Extra (file) · error: the file "+extra+" is gone") || !strings.Contains(l.Text, "last good copy from 08:00 in use") ||
		l.Importance != widget.WarningImportance {
		t.Errorf("stale source: %q", l.Text)
	}
	if !strings.Contains(p.summary.Text, "1 calendar failed") {
		t.Errorf("summary %q does not mention the failing calendar", p.summary.Text)
	}
}

func TestPlanSourceLine(t *testing.T) {
	now := uiT0.Add(6 * time.Hour) // Monday 14:00
	info := func(st calendar.SourceStatus) calendar.SourceInfo {
		return calendar.SourceInfo{Config: calendar.SourceConfig{ID: "s", Kind: calendar.SourceCalDAV, Name: "Team"}, Status: st}
	}
	for _, tc := range []struct {
		in   calendar.SourceInfo
		want string
	}{
		{info(calendar.SourceStatus{}), "Team (caldav) · not read yet"},
		{info(calendar.SourceStatus{LastAttempt: now, LastSuccess: now.Add(-time.Hour), HasData: true, Read: now.Add(-time.Hour), Events: 12}),
			"Team (caldav) · 12 events · updated 13:00"},
		{info(calendar.SourceStatus{LastAttempt: now, LastSuccess: now.Add(-3 * 24 * time.Hour), StaleSince: now.Add(-2 * 24 * time.Hour), LastError: "the server could not be reached", HasData: true}),
			"Team (caldav) · error: the server could not be reached — last good copy from 27 Nov 14:00 in use"},
		{info(calendar.SourceStatus{LastAttempt: now, StaleSince: now.Add(-10 * 24 * time.Hour), LastError: "the server rejected the user name or password"}),
			"Team (caldav) · error: the server rejected the user name or password — no copy to use yet"},
	} {
		if got := planSourceLine(tc.in, now, time.UTC); got != tc.want {
			t.Errorf("got  %q\nwant %q", got, tc.want)
		}
	}
}

func TestBackgroundProblemShowsOneDialog(t *testing.T) {
	// Publishing accepted blocks to a folder that does not exist fails
	// after the plan or an accept has succeeded: the service reports it as
	// a Problem event.
	bad := filepath.Join(t.TempDir(), "missing", "focus.ics")
	h := newHarnessWith(t, func(st *service.Settings) { st.ExportICS = bad })
	overlays := h.ui.win.Canvas().Overlays()
	if overlays.Top() != nil {
		t.Fatal("a dialog before anything failed")
	}
	h.sync()
	top := overlays.Top()
	if top == nil {
		t.Fatal("no dialog for the failed publish")
	}
	if got := strings.Join(texts(top), " "); !strings.Contains(got, "missing") {
		t.Errorf("dialog says %q, want the failing path", got)
	}
	n := len(overlays.List())
	p := h.ui.plan
	test.Tap(p.rows[p.order[0]].accept)
	h.wait()
	if got := len(overlays.List()); got != n {
		t.Errorf("%d overlays after a second failure, want still %d (no stacking)", got, n)
	}
	if got := blockStates(t, h)[p.order[0]]; got != calendar.StateAccepted {
		t.Errorf("the block is %q: a publish failure must not undo the accept", got)
	}
	// Once the user closed it, the next failure is shown again.
	h.ui.problem.Hide()
	if overlays.Top() != nil {
		t.Fatal("dialog still shown after closing it")
	}
	test.Tap(p.rows[p.order[1]].accept)
	h.wait()
	if overlays.Top() == nil {
		t.Error("no dialog for a failure after the first was closed")
	}
}

// TestPlanTabSaysWhyADayHasNoFocus: a working day taken by an unmarked
// all-day event gets one line saying so, among the days with blocks.
func TestPlanTabSaysWhyADayHasNoFocus(t *testing.T) {
	h := newHarness(t)
	offsite := filepath.Join(t.TempDir(), "offsite.ics")
	if err := os.WriteFile(offsite, []byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:offsite@lull.test\r\n"+
		"DTSTART;VALUE=DATE:20261202\r\nDTEND;VALUE=DATE:20261203\r\nSUMMARY:Team offsite\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := h.svc.Data.AddSource(context.Background(), service.AddSource{Kind: calendar.SourceFile, Path: offsite}); err != nil {
		t.Fatal(err)
	}
	h.ui.selectTab(tabPlan)
	h.sync()
	p := h.ui.plan
	if len(p.notes) != 1 || p.notes[0].Text != "No focus: all-day 'Team offsite'" {
		var texts []string
		for _, n := range p.notes {
			texts = append(texts, n.Text)
		}
		t.Fatalf("notes %q", texts)
	}
	for _, id := range p.order {
		if b := p.rows[id].block; b.Start.Format(time.DateOnly) == "2026-12-02" {
			t.Errorf("a block on the offsite day: %v", b.Start)
		}
	}
}

// TestPlanDayTimelines: every planned day, and every working day that got
// no focus, has a timeline with that day's blocks, meetings and digest
// times, so a user sees why each block sits where it does (or why there is
// none).
func TestPlanDayTimelines(t *testing.T) {
	h := newHarness(t)
	h.sync()
	p := h.ui.plan
	days := map[string]bool{}
	var blocks []calendar.Block
	for _, id := range p.order {
		blocks = append(blocks, p.rows[id].block)
		days[p.rows[id].block.Start.In(time.UTC).Format(time.DateOnly)] = true
	}
	withBlocks := len(days)
	notes, err := h.svc.DayNotes(blocks)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range notes {
		days[n.Date.In(time.UTC).Format(time.DateOnly)] = true
	}
	if withBlocks == 0 || len(p.days) != len(days) {
		t.Fatalf("%d timelines for %d days with blocks or a note", len(p.days), len(days))
	}
	meetings := 0
	for _, tl := range p.days {
		d := tl.day
		if !days[d.Day.In(time.UTC).Format(time.DateOnly)] || len(d.Digests) != 3 {
			t.Errorf("%s: %d blocks, %d digests", d.Day.Format(time.DateOnly), len(d.Blocks), len(d.Digests))
		}
		for _, b := range d.Blocks {
			if b.Start.Before(d.Day) || !b.End.Before(d.Day.AddDate(0, 0, 1)) {
				t.Errorf("%s: block %v–%v is another day's", d.Day.Format(time.DateOnly), b.Start, b.End)
			}
		}
		meetings += len(d.Meetings)
	}
	if meetings == 0 {
		t.Error("no meeting on any planned day's timeline")
	}
}
