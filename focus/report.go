package focus

import (
	"bytes"
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
	// InMeetings is the meeting load as Lull lived it: the time it held
	// notifications for meetings in the week (logged quiet spans, see
	// QuietSpan; time also spent focusing counts as focus, not here), and
	// MeetingStretches how many such stretches started in the week.
	InMeetings       time.Duration
	MeetingStretches int
	// Presenting is the time spent presenting (a fullscreen window, or the
	// user said so), focus time excluded, and Presentations how many
	// started in the week.
	Presenting    time.Duration
	Presentations int
	// Devices splits Focus per device when other devices' sessions (the
	// shared focus log) fall in the week, this device first; nil
	// otherwise. Focus, Sessions, the days and the trend count every
	// device, each moment once.
	Devices []DeviceFocus
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
	cfg := e.cfg
	e.mu.Unlock()
	return buildReport(e.log, cfg, e.deps, w, e.clk.Now(), live)
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

	// The other devices' sessions up to the week's end, read before the
	// log's transaction (the trend and the streak look back; a second
	// read transaction inside it could wait on a writer for ever).
	var remote, remoteAll []RemoteSession
	if deps.Remote != nil {
		var err error
		if remoteAll, err = deps.Remote.RemoteSessions(time.Unix(0, 0), span.End); err != nil {
			return nil, fmt.Errorf("report %s: other devices' sessions: %w", w, err)
		}
		for _, s := range remoteAll {
			if s.Start.Before(span.End) && s.End.After(span.Start) {
				remote = append(remote, s)
			}
		}
	}
	err := l.db.View(func(tx *bolt.Tx) error {
		focus, sessions, err := weekFocus(tx, span, now, live)
		if err != nil {
			return err
		}
		r.Sessions = len(sessions)
		if len(remote) > 0 {
			focus, r.Devices = SplitDevices(deps.deviceName(), focus, len(sessions), remote, span)
			for _, d := range r.Devices[1:] {
				r.Sessions += d.Sessions
			}
		}
		for _, s := range sessions {
			for _, in := range s.Interruptions {
				if !in.At.Before(w.Start) && in.At.Before(w.End) {
					r.Interruptions = append(r.Interruptions, ReportInterruption{Interruption: in, SessionID: s.ID})
				}
			}
		}
		sort.SliceStable(r.Interruptions, func(i, j int) bool { return r.Interruptions[i].At.Before(r.Interruptions[j].At) })
		r.fill(cfg, deps, focus, blocks, busy)
		if r.InMeetings, r.MeetingStretches, err = quietTime(tx, QuietMeeting, span, now, focus); err != nil {
			return err
		}
		if r.Presenting, r.Presentations, err = quietTime(tx, QuietPresenting, span, now, focus); err != nil {
			return err
		}
		return r.history(tx, cfg, deps.deviceName(), remoteAll, now, live)
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

// historyChunk is how many weeks history reads per range scan while it
// walks back for the streak.
const historyChunk = 26

// history computes the trend and the streak. It walks back in chunks of
// weeks, each one forward range scan with a light decode, and stops as soon
// as the streak is broken and the trend is filled.
func (r *WeeklyReport) history(tx *bolt.Tx, cfg Config, device string, remote []RemoteSession, now time.Time, live string) error {
	c := tx.Bucket(sessionsBucket).Cursor()
	k, _ := c.First()
	var oldest time.Time
	if k != nil {
		oldest = keyTime(k)
	}
	var liveKey []byte
	if live != "" {
		liveKey, _ = idKey(live)
	}

	// totals[i] is the focus of weeks[i]; weeks run backwards from r.Week.
	weeks := []Week{r.Week}
	totals := []time.Duration{r.Focus}
	// more extends weeks/totals by one chunk further back.
	more := func() error {
		chunk := make([]Week, historyChunk)
		w := weeks[len(weeks)-1]
		for i := historyChunk - 1; i >= 0; i-- {
			w = w.Prev(cfg)
			chunk[i] = w
		}
		t, err := weekTotals(tx, chunk, now, liveKey)
		if err != nil {
			return err
		}
		if err := addRemoteTotals(tx, device, remote, chunk, t, now, live); err != nil {
			return err
		}
		for i := historyChunk - 1; i >= 0; i-- {
			weeks = append(weeks, chunk[i])
			totals = append(totals, t[i])
		}
		return nil
	}
	if err := more(); err != nil {
		return err
	}

	r.Trend = make([]TrendPoint, TrendWeeks)
	for i := 0; i < TrendWeeks; i++ {
		r.Trend[TrendWeeks-1-i] = TrendPoint{Week: weeks[i], Focus: totals[i], MetGoal: totals[i] >= r.Goal}
	}

	i := 0
	if !r.Complete {
		r.StreakIncludesCurrent = r.Focus >= r.Goal
		if r.StreakIncludesCurrent {
			r.Streak = 1
		}
		i = 1
	}
	for ; ; i++ {
		if i == len(weeks) {
			if k == nil || !weeks[i-1].Start.After(oldest) {
				return nil // nothing recorded before this week
			}
			if err := more(); err != nil {
				return err
			}
		}
		if totals[i] < r.Goal {
			return nil
		}
		r.Streak++
	}
}

// weekTotals returns the focus time of each of the contiguous weeks
// (oldest first) in one forward range scan. Sessions are merged as they come
// (keys are in start order), so overlapping records are never counted
// twice. Only the times are decoded.
func weekTotals(tx *bolt.Tx, weeks []Week, now time.Time, liveKey []byte) ([]time.Duration, error) {
	totals := make([]time.Duration, len(weeks))
	lo, hi := weeks[0].Start, weeks[len(weeks)-1].End
	if hi.After(now) {
		hi = now
	}
	if !hi.After(lo) {
		return totals, nil
	}
	add := func(iv calendar.Interval) {
		iv, ok := clip(iv, calendar.Interval{Start: lo, End: hi})
		if !ok {
			return
		}
		i := sort.Search(len(weeks), func(i int) bool { return weeks[i].End.After(iv.Start) })
		for ; i < len(weeks) && weeks[i].Start.Before(iv.End); i++ {
			if c, ok := clip(iv, weeks[i].Interval()); ok {
				totals[i] += c.Duration()
			}
		}
	}
	var cur calendar.Interval
	err := scanSpans(tx, lo, hi, func(k []byte, start, end time.Time, running bool) {
		if running && liveKey != nil && bytes.Equal(k, liveKey) {
			end = now
		}
		if !end.After(start) {
			return
		}
		if !cur.End.IsZero() && !start.After(cur.End) {
			if end.After(cur.End) {
				cur.End = end
			}
			return
		}
		if !cur.End.IsZero() {
			add(cur)
		}
		cur = calendar.Interval{Start: start, End: end}
	})
	if !cur.End.IsZero() {
		add(cur)
	}
	return totals, err
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

// addRemoteTotals recounts the weeks in which other devices focused
// (remote, every such session up to the report's week) as the union of every device's focus, so the trend and the
// streak count a week worked on two machines once, fully.
func addRemoteTotals(tx *bolt.Tx, device string, remote []RemoteSession, weeks []Week, totals []time.Duration, now time.Time, live string) error {
	if len(remote) == 0 || len(weeks) == 0 {
		return nil
	}
	for i, w := range weeks {
		span := w.Interval()
		if span.End.After(now) {
			span.End = now
		}
		if !span.End.After(span.Start) {
			continue
		}
		var in []RemoteSession
		for _, s := range remote {
			if s.Start.Before(span.End) && s.End.After(span.Start) {
				in = append(in, s)
			}
		}
		if len(in) == 0 {
			continue
		}
		local, _, err := weekFocus(tx, span, now, live)
		if err != nil {
			return err
		}
		all, _ := SplitDevices(device, local, 0, in, span)
		totals[i] = overlap(all, []calendar.Interval{span})
	}
	return nil
}
