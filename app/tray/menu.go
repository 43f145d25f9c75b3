package tray

import "time"

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
)

// Action is what a click on an item does.
type Action struct {
	Do Do
	// Length is StartFocus's length.
	Length time.Duration
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
		separator,
		Item{Label: "Open Lull", Action: Action{Do: Open}},
		Item{Label: "Weekly report", Action: Action{Do: Report}},
		separator,
		Item{Label: "Quit", Action: Action{Do: Quit}},
	)
}
