package app

import (
	"context"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/lullapp/lull/app/service"
	"github.com/lullapp/lull/calendar"
	"github.com/lullapp/lull/focus/coach"
	"github.com/lullapp/lull/notify"
)

// seedCoachWeek is Lull in 2026-W49 (UTC) with the coach's fixture
// calendar and one chat thread that broke through by repeat twelve times
// during focus: a hold suggestion and the meeting audit.
func seedCoachWeek(t *testing.T) *lull {
	t.Helper()
	mon := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	l := startLull(t, lullSetup{now: mon, zone: "UTC", edit: func(st *service.Settings) {
		st.UserAddresses = []string{"me@example.com"}
	}})
	ics, err := filepath.Abs("../focus/coach/testdata/week.ics")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.svc.AddSource(context.Background(), service.AddSource{Kind: calendar.SourceFile, Path: ics, Name: "Work"}); err != nil {
		t.Fatal(err)
	}
	for day := range 2 {
		l.clk.Set(mon.AddDate(0, 0, day))
		if _, err := l.svc.Focus.Start(4 * time.Hour); err != nil {
			t.Fatal(err)
		}
		for range 3 {
			for range 4 {
				if _, err := l.svc.Notify.Submit(context.Background(), []notify.Notification{{Source: "chat", Title: "ping", Origin: notify.OriginAPI, Priority: notify.PriorityNormal}}); err != nil {
					t.Fatal(err)
				}
				l.clk.Advance(time.Minute)
			}
			l.clk.Advance(time.Hour)
		}
		if _, err := l.svc.Focus.Stop(); err != nil {
			t.Fatal(err)
		}
	}
	l.clk.Set(time.Date(2026, 12, 2, 15, 0, 0, 0, time.UTC))
	return l
}

// TestReportCoachSection: the Report tab lists the week's suggestions with
// their explanations; a rule suggestion has Apply and Dismiss, a meeting
// audit item only Dismiss; Apply changes the rules and the card then says
// what changed; Dismiss removes the card for good.
func TestReportCoachSection(t *testing.T) {
	tab, _, h := showReport(t, seedCoachWeek(t))
	c := tab.coach
	find := func(k coach.Kind) *coach.Item {
		for i := range c.items {
			if c.items[i].Kind == k {
				return &c.items[i]
			}
		}
		return nil
	}
	hold, async := find(coach.KindHold), find(coach.KindMeetingAsync)
	if hold == nil || async == nil {
		t.Fatalf("suggestions %+v", c.items)
	}
	if !strings.HasPrefix(c.status.Text, strconv.Itoa(len(c.items))+" suggestions from this week") {
		t.Errorf("status %q", c.status.Text)
	}
	if c.buttons["apply:"+hold.ID] == nil || c.buttons["dismiss:"+hold.ID] == nil {
		t.Fatalf("hold has no Apply/Dismiss: %v", c.buttons)
	}
	if c.buttons["apply:"+async.ID] != nil || c.buttons["dismiss:"+async.ID] == nil {
		t.Fatalf("an audit item must have Dismiss only")
	}
	holdID, asyncID := hold.ID, async.ID
	test.Tap(c.buttons["apply:"+holdID])
	h.until("the hold is applied", func() bool {
		it := find(coach.KindHold)
		return it != nil && it.State == coach.StateApplied
	})
	if st := h.lull.svc.Settings(); !slices.Equal(st.Hold, []string{"chat"}) {
		t.Fatalf("settings hold %v", st.Hold)
	}
	if c.buttons["apply:"+holdID] != nil {
		t.Error("an applied suggestion still has Apply")
	}
	if !cardSays(c, "Applied: added chat to the held sources") {
		t.Error("the applied card does not say what changed")
	}
	test.Tap(c.buttons["dismiss:"+asyncID])
	h.until("the async item is dismissed", func() bool { return find(coach.KindMeetingAsync) == nil })
}

// cardSays reports whether a label in the section's cards has text.
func cardSays(c *coachSection, text string) bool {
	var walk func(objs []fyne.CanvasObject) bool
	walk = func(objs []fyne.CanvasObject) bool {
		for _, o := range objs {
			switch v := o.(type) {
			case *widget.Label:
				if strings.Contains(v.Text, text) {
					return true
				}
			case *fyne.Container:
				if walk(v.Objects) {
					return true
				}
			}
		}
		return false
	}
	return walk(c.list.Objects)
}
