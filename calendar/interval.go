package calendar

import (
	"sort"
	"time"
)

// Interval is a half-open span of time [Start, End).
type Interval struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// Duration returns End - Start.
func (iv Interval) Duration() time.Duration { return iv.End.Sub(iv.Start) }

// Overlaps reports whether iv and other share any instant.
func (iv Interval) Overlaps(other Interval) bool {
	return iv.Start.Before(other.End) && other.Start.Before(iv.End)
}

// Merge returns the union of ivs as sorted, non-overlapping, non-touching
// intervals. Empty intervals are dropped. ivs is not modified.
func Merge(ivs []Interval) []Interval {
	sorted := make([]Interval, 0, len(ivs))
	for _, iv := range ivs {
		if iv.End.After(iv.Start) {
			sorted = append(sorted, iv)
		}
	}
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Start.Before(sorted[j].Start) })
	var out []Interval
	for _, iv := range sorted {
		if n := len(out); n > 0 && !iv.Start.After(out[n-1].End) {
			if iv.End.After(out[n-1].End) {
				out[n-1].End = iv.End
			}
			continue
		}
		out = append(out, iv)
	}
	return out
}

// Subtract returns the parts of within not covered by any of busy.
func Subtract(within Interval, busy []Interval) []Interval {
	var free []Interval
	cur := within.Start
	for _, b := range Merge(busy) {
		if !b.End.After(cur) || !b.Start.Before(within.End) {
			continue
		}
		if b.Start.After(cur) {
			free = append(free, Interval{cur, b.Start})
		}
		if b.End.After(cur) {
			cur = b.End
		}
	}
	if within.End.After(cur) {
		free = append(free, Interval{cur, within.End})
	}
	return free
}
