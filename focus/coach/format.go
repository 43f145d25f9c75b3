package coach

import (
	"fmt"
	"io"
	"strings"
)

// WriteText writes the week's suggestions for a person, as `lull coach`
// prints them: each with its ID (for `lull coach apply|dismiss ID`), its
// explanation, and what applying it does or did.
func WriteText(w io.Writer, week fmt.Stringer, items []Item) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Coach for %s\n", week)
	if len(items) == 0 {
		b.WriteString("\nNothing to suggest this week.\n")
	}
	for _, it := range items {
		fmt.Fprintf(&b, "\n%s  [%s]\n", it.Title, it.ID)
		fmt.Fprintf(&b, "  %s\n", it.Why)
		switch {
		case it.State == StateApplied:
			fmt.Fprintf(&b, "  Applied: %s.\n", it.Changed)
		case it.Action != nil:
			fmt.Fprintf(&b, "  Apply: lull coach apply %s · Dismiss: lull coach dismiss %s\n", it.ID, it.ID)
		default:
			fmt.Fprintf(&b, "  Dismiss: lull coach dismiss %s\n", it.ID)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
