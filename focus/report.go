package focus

import (
	"fmt"
	"sort"
	"time"

	"github.com/lullapp/lull/calendar"
	bolt "go.etcd.io/bbolt"
)

// TrendWeeks is how many weeks the report's trend covers (the report's week
// and the seven before it).
const TrendWeeks = 8

// WeeklyReport is the model behind the Report tab, `lull report` and its
// exports. Every duration is exact (absolute instants, days split at the
// user's local midnights).
type WeeklyReport struct {
	// Week is the reported week.
	Week Week
	// Generated is when the report was computed.
	Generated time.Time
	// Complete is true when the week has ended; otherwise figures run to Generated.
	Complete bool
	// Goal is the weekly focus goal.
	Goal time.Duration
	// Focus is the time spent focusing inside the week (sessions merged, so
	// nothing is counted twice; a session crossing midnight or the week's
	// edge counts only its part inside each day or week).
	Focus time.Duration
	// Sessions is how many sessions overlap the week.
	Sessions int
	// Days are the week's seven days, first weekday first.
	Days []DayReport
	// Planned is the accepted block time in the week (blocks on out-of-office
	// days excluded).
	Planned time.Duration
	// Kept is the part of Planned that was actually focused: for each block,
	// the overlap of the block with any focus session, summed.
	Kept time.Duration
	// Blocks lists each accepted block with its kept time.
	Blocks []BlockReport
	// Working is the working time in the week (out-of-office days excluded).
	Working time.Duration
	// Meetings is busy time inside working hours.
	Meetings time.Duration
	// Available is working time minus meetings: time that could be focused.
	Available time.Duration
	// Fragmented is free working time lying in gaps shorter than
	// Config.MinBlock (too short to focus in).
	Fragmented time.Duration
	// Interruptions are the breakthroughs during the week's sessions, oldest first.
	Interruptions []ReportInterruption
	// Batched is how many notifications were held for digests in the week.
	Batched int
	// Digests is how many digests were delivered in the week.
	Digests int
	// Trend is the focus of the TrendWeeks weeks ending with Week, oldest first.
	Trend []TrendPoint
	// Streak is the number of consecutive completed weeks meeting the goal
	// that end with the last completed week up to Week. The current,
	// unfinished week is added once it has already met the goal (focus only
	// grows, so it cannot un-meet it); StreakIncludesCurrent says so.
	Streak int
	// StreakIncludesCurrent is true when Week is unfinished and counted.
	StreakIncludesCurrent bool
	// Baseline is the survey's 11.7 h reference.
	Baseline time.Duration
}

// DayReport is one day of the week.
type DayReport struct {
	// Date is the day's local midnight.
	Date time.Time
	// Focus is the focus time inside the day.
	Focus time.Duration
	// Goal is the weekly goal spread evenly over the week's working days
	// (zero on days without working hours).
	Goal time.Duration
	// Planned, Kept, Working, Meetings, Available and Fragmented are the
	// week's figures restricted to the day.
	Planned, Kept, Working, Meetings, Available, Fragmented time.Duration
}

// BlockReport is one accepted block and how much of it was focused.
type BlockReport struct {
	Block
	// Kept is the block's overlap with focus sessions.
	Kept time.Duration
}

// ReportInterruption is an interruption with the session it broke into.
type ReportInterruption struct {
	Interruption
	// SessionID is the interrupted session.
	SessionID string
}

// TrendPoint is one week's focus.
type TrendPoint struct {
	// Week is the week.
	Week Week
	// Focus is its focus time.
	Focus time.Duration
	// MetGoal reports Focus >= the goal.
	MetGoal bool
}

// BuildReport computes week w's report from the log and the other domains'
// data at time now. It works without an Engine (sessions still marked
// running count to their last heartbeat). A week starting after now is
// ErrFutureWeek.
func BuildReport(l *Log, cfg Config, deps Deps, w Week, now time.Time) (*WeeklyReport, error) {
	return buildReport(l, cfg.withDefaults(), deps, w, now, "")
}

// Report computes week w's report; the running session counts up to now.
func (e *Engine) Report(w Week) (*WeeklyReport, error) {
	e.mu.Lock()
	live := ""
	if e.cur != nil {
		live = e.cur.ID
	}
	e.mu.Unlock()
	return buildReport(e.log, e.cfg, e.deps, w, e.clk.Now(), live)
}

func buildReport(l *Log, cfg Config, deps Deps, w Week, now time.Time, live string) (*WeeklyReport, error) {
	if w.Start.After(now) {
		return nil, fmt.Errorf("report %s: %w", w, ErrFutureWeek)
	}
	r := &WeeklyReport{Week: w, Generated: now, Complete: !w.End.After(now), Goal: cfg.WeeklyGoal, Baseline: Baseline}
	span := w.Interval()
	if !r.Complete {
		span.End = now
	}

	var blocks []Block
	if deps.Blocks != nil {
		bs, err := deps.Blocks.Blocks(w.Start, w.End)
		if err != nil {
			return nil, fmt.Errorf("report %s: accepted blocks: %w", w, err)
		}
		for _, b := range bs {
			if b.End.After(b.Start) && b.Start.Before(w.End) && b.End.After(w.Start) && !deps.outOfOffice(b.Start) {
				blocks = append(blocks, b)
			}
		}
		sort.Slice(blocks, func(i, j int) bool { return blocks[i].Start.Before(blocks[j].Start) })
	}
	var busy []calendar.Interval
	if deps.Busy != nil {
		bs, err := deps.Busy.Busy(w.Start, w.End)
		if err != nil {
			return nil, fmt.Errorf("report %s: busy time: %w", w, err)
		}
		busy = calendar.Merge(bs)
	}
	if deps.NotifyStats != nil {
		var err error
		r.Batched, r.Digests, err = deps.NotifyStats.Stats(w.Start, w.End)
		if err != nil {
			return nil, fmt.Errorf("report %s: notification counts: %w", w, err)
		}
	}

	err := l.db.View(func(tx *bolt.Tx) error {
		focus, sessions, err := weekFocus(tx, span, now, live)
		if err != nil {
			return err
		}
		r.Sessions = len(sessions)
		for _, s := range sessions {
			for _, in := range s.Interruptions {
				if !in.At.Before(w.Start) && in.At.Before(w.End) {
					r.Interruptions = append(r.Interruptions, ReportInterruption{Interruption: in, SessionID: s.ID})
				}
			}
		}
		sort.SliceStable(r.Interruptions, func(i, j int) bool { return r.Interruptions[i].At.Before(r.Interruptions[j].At) })
		r.fill(cfg, deps, focus, blocks, busy)
		return r.history(tx, cfg, now, live)
	})
	if err != nil {
		return nil, fmt.Errorf("report %s: %w", w, err)
	}
	return r, nil
}

// fill computes the per-day and weekly figures.
func (r *WeeklyReport) fill(cfg Config, deps Deps, focus []calendar.Interval, blocks []Block, busy []calendar.Interval) {
	days := r.Week.Days()
	r.Days = make([]DayReport, len(days))
	workDays := 0
	for i, d := range days {
		dr := &r.Days[i]
		dr.Date = d.Start
		dr.Focus = overlap(focus, []calendar.Interval{d})
		for _, b := range blocks {
			if biv, ok := clip(calendar.Interval{Start: b.Start, End: b.End}, d); ok {
				dr.Planned += biv.Duration()
				dr.Kept += overlap(focus, []calendar.Interval{biv})
			}
		}
		work := deps.working(d)
		for _, wiv := range work {
			dr.Working += wiv.Duration()
			for _, gap := range calendar.Subtract(wiv, busy) {
				dr.Available += gap.Duration()
				if gap.Duration() < cfg.MinBlock {
					dr.Fragmented += gap.Duration()
				}
			}
		}
		dr.Meetings = dr.Working - dr.Available
		if dr.Working > 0 {
			workDays++
		}
		r.Focus += dr.Focus
		r.Planned += dr.Planned
		r.Kept += dr.Kept
		r.Working += dr.Working
		r.Meetings += dr.Meetings
		r.Available += dr.Available
		r.Fragmented += dr.Fragmented
	}
	if workDays > 0 {
		for i := range r.Days {
			if r.Days[i].Working > 0 {
				r.Days[i].Goal = r.Goal / time.Duration(workDays)
			}
		}
	}
	for _, b := range blocks {
		iv, _ := clip(calendar.Interval{Start: b.Start, End: b.End}, r.Week.Interval())
		r.Blocks = append(r.Blocks, BlockReport{Block: b, Kept: overlap(focus, []calendar.Interval{iv})})
	}
}

// history computes the trend and the streak, one range scan per week.
func (r *WeeklyReport) history(tx *bolt.Tx, cfg Config, now time.Time, live string) error {
	cache := map[int64]time.Duration{}
	weekTotal := func(w Week) (time.Duration, error) {
		if d, ok := cache[w.Start.UnixNano()]; ok {
			return d, nil
		}
		span := w.Interval()
		if span.End.After(now) {
			span.End = now
		}
		focus, _, err := weekFocus(tx, span, now, live)
		if err != nil {
			return 0, err
		}
		d := overlap(focus, []calendar.Interval{span})
		cache[w.Start.UnixNano()] = d
		return d, nil
	}
	cache[r.Week.Start.UnixNano()] = r.Focus

	r.Trend = make([]TrendPoint, TrendWeeks)
	w := r.Week
	for i := TrendWeeks - 1; i >= 0; i-- {
		f, err := weekTotal(w)
		if err != nil {
			return err
		}
		r.Trend[i] = TrendPoint{Week: w, Focus: f, MetGoal: f >= r.Goal}
		w = w.Prev(cfg)
	}

	w = r.Week
	if !r.Complete {
		r.StreakIncludesCurrent = r.Focus >= r.Goal
		if r.StreakIncludesCurrent {
			r.Streak = 1
		}
		w = w.Prev(cfg)
	}
	first := tx.Bucket(sessionsBucket).Cursor()
	k, _ := first.First()
	if k == nil {
		return nil
	}
	oldest := keyTime(k)
	for w.End.After(oldest) {
		f, err := weekTotal(w)
		if err != nil {
			return err
		}
		if f < r.Goal {
			break
		}
		r.Streak++
		w = w.Prev(cfg)
	}
	return nil
}

// weekFocus returns the merged focus intervals inside span and the sessions
// overlapping it. The live session (still running in this process) counts to
// now; any other session marked running counts to its last heartbeat.
func weekFocus(tx *bolt.Tx, span calendar.Interval, now time.Time, live string) ([]calendar.Interval, []Session, error) {
	var ivs []calendar.Interval
	var sessions []Session
	err := scan(tx, span.Start, span.End, func(s *Session) error {
		end := s.until()
		if s.Outcome == Running && s.ID == live {
			end = now
		}
		iv, ok := clip(calendar.Interval{Start: s.Start, End: end}, span)
		if !ok {
			return nil
		}
		ivs = append(ivs, iv)
		sessions = append(sessions, *s)
		return nil
	})
	return calendar.Merge(ivs), sessions, err
}

// overlap returns the total time shared by two sets of intervals, each
// already merged (sorted, disjoint).
func overlap(a, b []calendar.Interval) time.Duration {
	var d time.Duration
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		s, e := a[i].Start, a[i].End
		if b[j].Start.After(s) {
			s = b[j].Start
		}
		if b[j].End.Before(e) {
			e = b[j].End
		}
		if e.After(s) {
			d += e.Sub(s)
		}
		if a[i].End.Before(b[j].End) {
			i++
		} else {
			j++
		}
	}
	return d
}
