package human

import "strconv"

// Times writes how often something happened as a person says it: "once",
// "twice", then "3 times" (and "0 times"). The notification rules and the
// coach both say counts this way, so the same count reads the same
// wherever it is shown.
func Times(n int) string {
	switch n {
	case 1:
		return "once"
	case 2:
		return "twice"
	}
	return strconv.Itoa(n) + " times"
}
