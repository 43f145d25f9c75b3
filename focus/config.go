package focus

import (
	"time"

	"github.com/lullapp/lull/calendar"
)

// BaselineHours is the survey average of deep-focus hours per week (11.7 h),
// shown in the report as a reference line.
const BaselineHours = 11.7

// Baseline is BaselineHours as a duration.
const Baseline = time.Duration(BaselineHours * float64(time.Hour))

// Config holds the user's focus settings. Start from DefaultConfig: the zero
// value of FirstWeekday is Sunday.
type Config struct {
	// Location is the user's zone, for days and weeks. Nil means UTC.
	Location *time.Location
	// FirstWeekday is the day weeks start on (Monday by default).
	FirstWeekday time.Weekday
	// WeeklyGoal is the focus goal per week (default 10 h).
	WeeklyGoal time.Duration
	// DailyMax caps "until my next meeting" (default 4 h).
	DailyMax time.Duration
	// MinBlock is the shortest useful focus block; free working time in gaps
	// shorter than this is reported as fragmented (default 1 h).
	MinBlock time.Duration
	// Heartbeat is how often a running session's "last alive" is written
	// (default 1 min): the most a crash can lose.
	Heartbeat time.Duration
	// Lookahead is how far ahead the engine asks for accepted blocks and the
	// longest it waits before asking again (default 1 h), so a block added
	// without a Refresh call still starts on time within the hour's fetch.
	Lookahead time.Duration
	// OnError receives errors from background work (heartbeat writes, block
	// fetches on a timer). Nil drops them.
	OnError func(error)
}

// DefaultConfig returns the product defaults in loc.
func DefaultConfig(loc *time.Location) Config {
	return Config{
		Location:     loc,
		FirstWeekday: time.Monday,
		WeeklyGoal:   10 * time.Hour,
		DailyMax:     4 * time.Hour,
		MinBlock:     time.Hour,
		Heartbeat:    time.Minute,
		Lookahead:    time.Hour,
	}
}

// withDefaults fills zero fields (except FirstWeekday) with the defaults.
func (c Config) withDefaults() Config {
	d := DefaultConfig(time.UTC)
	if c.Location == nil {
		c.Location = d.Location
	}
	if c.WeeklyGoal <= 0 {
		c.WeeklyGoal = d.WeeklyGoal
	}
	if c.DailyMax <= 0 {
		c.DailyMax = d.DailyMax
	}
	if c.MinBlock <= 0 {
		c.MinBlock = d.MinBlock
	}
	if c.Heartbeat <= 0 {
		c.Heartbeat = d.Heartbeat
	}
	if c.Lookahead <= 0 {
		c.Lookahead = d.Lookahead
	}
	return c
}

// Block is an accepted focus block as focus needs it. The planner's block
// type is adapted to this in app/.
type Block struct {
	// ID is the planner's stable id for the block.
	ID string `json:"id"`
	// Start and End bound the block.
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// BlockSource lists accepted blocks. The engine asks for the next
// Lookahead; the report asks for past weeks, so accepted blocks must stay
// listed after they end.
type BlockSource interface {
	// Blocks returns the accepted blocks overlapping [from, to).
	Blocks(from, to time.Time) ([]Block, error)
}

// BusySource reports busy time from the user's calendars. It must not
// include Lull's own focus blocks (they would count as meetings).
type BusySource interface {
	// Busy returns the busy intervals overlapping [from, to), in any order,
	// possibly overlapping.
	Busy(from, to time.Time) ([]calendar.Interval, error)
}

// NotifyStats counts what notify batched, for the report. notify satisfies
// it without importing focus.
type NotifyStats interface {
	// Stats returns how many notifications were held for a digest and how
	// many digests were delivered in [from, to).
	Stats(from, to time.Time) (batched, digests int, err error)
}

// Deps are the engine's and the report's views of the other domains. Any may
// be nil: no blocks, no busy time, no working hours, never out of office,
// no notification counts.
type Deps struct {
	// Blocks lists accepted focus blocks.
	Blocks BlockSource
	// Busy lists busy time (meetings).
	Busy BusySource
	// WorkingHours returns the working intervals of the day containing day
	// (in the user's zone), e.g. 09:00–17:00 on weekdays, none at weekends.
	WorkingHours func(day time.Time) []calendar.Interval
	// OutOfOffice reports whether the day containing day is marked out of
	// office: blocks do not start focus then, and the day has no working
	// hours in the report.
	OutOfOffice func(day time.Time) bool
	// NotifyStats counts batched notifications and digests.
	NotifyStats NotifyStats
	// Remote lists the sessions of the user's other devices (the shared
	// focus log); the report merges them with this device's, each moment
	// counted once, and splits the week per device. DeviceName names this
	// device there (nil: "this device"), read at each report so a new name
	// shows at once.
	Remote     RemoteSource
	DeviceName func() string
}

func (d Deps) deviceName() string {
	if d.DeviceName == nil {
		return "this device"
	}
	return d.DeviceName()
}

func (d Deps) outOfOffice(t time.Time) bool { return d.OutOfOffice != nil && d.OutOfOffice(t) }

// working returns the working intervals of the day, none when out of office.
func (d Deps) working(day calendar.Interval) []calendar.Interval {
	if d.WorkingHours == nil || d.outOfOffice(day.Start) {
		return nil
	}
	var out []calendar.Interval
	for _, iv := range d.WorkingHours(day.Start) {
		if c, ok := clip(iv, day); ok {
			out = append(out, c)
		}
	}
	return calendar.Merge(out)
}

// clip returns the part of iv inside w.
func clip(iv, w calendar.Interval) (calendar.Interval, bool) {
	if iv.Start.Before(w.Start) {
		iv.Start = w.Start
	}
	if iv.End.After(w.End) {
		iv.End = w.End
	}
	return iv, iv.End.After(iv.Start)
}
