package tray

import (
	"strings"
	"time"
)

// Lengths are the focus lengths offered under "Start focus".
var Lengths = []time.Duration{25 * time.Minute, 50 * time.Minute, 90 * time.Minute}

// Do says what a menu item does.
type Do int

// What menu items do.
const (
	// None: the status line.
	None Do = iota
	// StartFocus starts a session of Action.Length.
	StartFocus
	// UntilMeeting starts a session that ends at the next meeting.
	UntilMeeting
	StopFocus
	// Resume resumes the block stopped early.
	Resume
	// Deliver delivers the held notifications as a digest now.
	Deliver
	// Open shows the window.
	Open
	// Report shows the window on the weekly report.
	Report
	Quit
	// Present says the user presents (Action.On) or stopped.
	Present
)

// Action is what a click on an item does.
type Action struct {
	Do Do
	// Length is StartFocus's length.
	Length time.Duration
	// On is Present's choice.
	On bool
}

// Item is one entry of the menu: a separator, or a label that runs its
// Action when clicked (unless Disabled), or opens Sub.
type Item struct {
	Label     string
	Disabled  bool
	Separator bool
	Action    Action
	Sub       []Item
}

// separator is a menu separator.
var separator = Item{Separator: true}

// Menu is the tray menu for m.
func Menu(m Model) []Item {
	var starts []Item
	for _, d := range Lengths {
		starts = append(starts, Item{Label: lengthLabel(d), Action: Action{Do: StartFocus, Length: d}})
	}
	starts = append(starts, Item{Label: "Until next meeting", Action: Action{Do: UntilMeeting}})

	items := []Item{
		{Label: m.Status, Disabled: true},
		separator,
		{Label: "Start focus", Disabled: m.Focusing, Sub: starts},
		{Label: "Stop focus", Disabled: !m.Focusing, Action: Action{Do: StopFocus}},
	}
	if m.Resume != "" {
		items = append(items, Item{Label: m.Resume, Action: Action{Do: Resume}})
	}
	return append(items,
		Item{Label: deliverLabel(m.Held), Disabled: m.Held == 0, Action: Action{Do: Deliver}},
		Item{Label: presentingLabel(m), Disabled: m.PresentingFullscreen, Action: Action{Do: Present, On: !m.Presenting}},
		separator,
		Item{Label: "Open Lull", Action: Action{Do: Open}},
		Item{Label: "Weekly report", Action: Action{Do: Report}},
		separator,
		Item{Label: "Quit", Action: Action{Do: Quit}},
	)
}

// shownMenu is the menu a view shows, to work out what a new one changes:
// a menu of the same shape (the same items doing the same things) is
// updated in place, so the items keep their ids and a click on a menu held
// open across a minute's tick still lands; another shape is rebuilt whole.
type shownMenu struct {
	shape string
	flat  []Item // flattened, as shown
}

// update records items as shown and says how: rebuild the whole menu, or
// update the items at the given indices of flatten(items) (their label or
// their state changed).
func (s *shownMenu) update(items []Item) (rebuild bool, changed []int) {
	flat, shape := flatten(items), shapeOf(items)
	if shape != s.shape {
		s.shape, s.flat = shape, flat
		return true, nil
	}
	for i, it := range flat {
		if old := s.flat[i]; !it.Separator && (it.Label != old.Label || it.Disabled != old.Disabled) {
			changed = append(changed, i)
		}
	}
	s.flat = flat
	return false, changed
}

// flatten lists items depth first: each item, then its submenu.
func flatten(items []Item) []Item {
	var out []Item
	for _, it := range items {
		out = append(out, it)
		out = append(out, flatten(it.Sub)...)
	}
	return out
}

// shapeOf describes the menu without its labels and states: what each item
// does and where it is. Two menus of one shape differ only in text and
// enabled items.
func shapeOf(items []Item) string {
	var b strings.Builder
	for _, it := range items {
		switch {
		case it.Separator:
			b.WriteString("-")
		default:
			b.WriteString("(")
			b.WriteString(string(rune('a' + it.Action.Do)))
			b.WriteString(it.Action.Length.String())
			b.WriteString(shapeOf(it.Sub))
			b.WriteString(")")
		}
	}
	return b.String()
}
