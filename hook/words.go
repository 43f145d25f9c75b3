package hook

import (
	"fmt"
	"time"

	"github.com/lullapp/lull/internal/human"
)

// Words says how r went, for a person: "ran Mon 30 Nov 14:05 (a test),
// took under a second: done", "failed Mon 30 Nov 14:05, took 5 s: no
// answer from hooks.example.com within 5 s". Times are in loc.
func (r Result) Words(loc *time.Location) string {
	what := "ran"
	if !r.OK {
		what = "failed"
	}
	test := ""
	if r.Test {
		test = " (a test)"
	}
	return fmt.Sprintf("%s %s%s, took %s: %s", what, r.At.In(loc).Format("Mon 2 Jan 15:04"), test, tookWords(r.Took), r.Reason)
}

// tookWords is a run's length in words: under a second is most runs.
func tookWords(d time.Duration) string {
	if d < time.Second {
		return "under a second"
	}
	return human.Duration(d)
}

// LastWords says how h last went, and how many events it lost, in words.
func (h Hook) LastWords(loc *time.Location) string {
	s := "not run yet"
	if h.Last != nil {
		s = h.Last.Words(loc)
	}
	if h.Dropped > 0 {
		s += fmt.Sprintf("; %d %s dropped (it was too slow to keep up)", h.Dropped, plural(h.Dropped, "event"))
	}
	return s
}
