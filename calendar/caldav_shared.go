package calendar

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/lullapp/lull/calendar/ics"
)

// One plan across devices (issue 16). When the calendar Lull publishes to
// has sync on (SourceConfig.Sync), every device that uses it shares one
// plan: the accepted blocks on the server are the plan. A block's state
// travels by its presence: an accepted block is an X-LULL-BLOCK event on
// the server; a block skipped (or deleted) anywhere is removed from the
// server, and every other device marks it skipped at its next sync. The
// proposals a device makes stay on that device until the user accepts one.
//
// Reading the shared plan (Reconcile) needs no permission. Writing it —
// creating, moving or removing any block — needs the planner lease, a
// small object on the same calendar (PlannerLeaseName) taken with
// If-None-Match: * or If-Match, so that of two devices publishing at the
// same moment exactly one writes; the other keeps its changes and sends
// them at its next sync, after adopting what the first one wrote.

const (
	// PlannerLeaseName is the object name of the planner lease in the
	// shared calendar. It holds one transparent event on 1 January 1970,
	// outside every window Lull or a calendar app shows, so it never
	// reads as busy time.
	PlannerLeaseName = "lull-planner.ics"
	// PlannerLeaseUID is the UID of the lease's event.
	PlannerLeaseUID = "lull-planner"
	// PlannerLeaseTTL is how long a taken lease stays valid unless its
	// holder releases it first. A publish holding it re-reads the plan
	// and writes it, each bounded by DefaultOperationTimeout (30 s), so
	// it is done within a minute; twice that leaves room for devices
	// whose clocks differ by a little, while a device that died holding
	// the lease blocks the others' writes for two minutes at most.
	PlannerLeaseTTL = 2 * time.Minute
	// SharedPlanAhead is how far ahead of now the shared plan is read and
	// kept: the longest planning horizon any device may have (62 days,
	// the limit of PlanSettings.HorizonDays) plus one day, so a device
	// with a short horizon never drops the blocks a device with a long
	// one accepted.
	SharedPlanAhead = 63 * 24 * time.Hour
	// SharedPlanBehind is how far back the shared plan is read: the
	// blocks of the last day (a block that ended stays history and is
	// never judged again).
	SharedPlanBehind = 24 * time.Hour
)

// ErrPlannerBusy means another device holds the planner lease: it is
// writing the shared plan right now. Nothing is lost: this device's
// changes go out at its next sync.
var ErrPlannerBusy = errors.New("another of your devices is changing the shared plan right now; your changes go out at the next sync")

// pubKeyDevice is the key, in a CalDAV source's bucket, of this device's
// random identity on that calendar (who holds the planner lease).
var pubKeyDevice = []byte("device-id")

// SharedBlock is an accepted Lull block found on the shared calendar.
type SharedBlock struct {
	// Block is the block, accepted, at the server's times.
	Block
	// Href and ETag are its object's address and version.
	Href, ETag string
}

// SharedChanges is what a device changes in its stored blocks so its plan
// is the shared one (see Reconcile).
type SharedChanges struct {
	// Adopt are blocks accepted on the server that this device does not
	// have as accepted at those times: new from another device, or moved
	// there. They are stored as accepted, at the server's times.
	Adopt []Block
	// Skipped are blocks this device saw on the server before that are
	// gone now: skipped or deleted on another device (or in a calendar
	// app). They are stored as skipped, so their slot is not planned
	// again.
	Skipped []string
	// Dropped are blocks accepted on this device but never published that
	// overlap a block on the server: another device took the slot first.
	// They are removed (without tombstone), and the planner places the
	// focus elsewhere.
	Dropped []Block
}

// Empty reports whether there is nothing to change.
func (c SharedChanges) Empty() bool {
	return len(c.Adopt) == 0 && len(c.Skipped) == 0 && len(c.Dropped) == 0
}

// SharedWindow is the span of the shared plan read at now.
func SharedWindow(now time.Time) Interval {
	return Interval{Start: now.Add(-SharedPlanBehind), End: now.Add(SharedPlanAhead)}
}

// SharedPlan reads the accepted Lull blocks on the calendar over
// SharedWindow, whoever wrote them, with one time-range query. Objects
// that are not Lull blocks are left out; so is a Lull block a calendar
// app turned into something Lull cannot place (a series).
func (p *CalDAVPublisher) SharedPlan(ctx context.Context) ([]SharedBlock, error) {
	ctx, done := p.st.operation(ctx)
	blocks, err := p.sharedPlan(ctx)
	return blocks, done(err)
}

func (p *CalDAVPublisher) sharedPlan(ctx context.Context) ([]SharedBlock, error) {
	password, err := p.st.secrets.Get(secretPasswordKey(p.cfg.ID))
	if err != nil {
		return nil, fmt.Errorf("CalDAV calendar %q: read its password from the keyring: %w", p.cfg.Name, err)
	}
	win := SharedWindow(p.st.clk.Now())
	items, err := p.st.queryRange(ctx, p.cfg, password, win)
	if err != nil {
		return nil, fmt.Errorf("CalDAV calendar %q: read the shared plan: %w", p.cfg.Name, redactErr(err, password))
	}
	var out []SharedBlock
	for _, it := range items {
		b, ok := sharedBlock([]byte(it.data), win)
		if !ok {
			continue
		}
		out = append(out, SharedBlock{Block: b, Href: it.href, ETag: it.etag})
	}
	return out, nil
}

// sharedBlock reads one object as a Lull block: a single event with
// Lull's UID and X-LULL-BLOCK:1 and one occurrence (a calendar app may
// have moved it and written its times in any zone, with the zone's
// VTIMEZONE).
func sharedBlock(obj []byte, win Interval) (Block, bool) {
	parts := icsSplit(obj)
	var uid string
	for _, part := range parts {
		if part.comp == "" || part.comp == "VTIMEZONE" {
			continue
		}
		if !isLullBlock(part) || uid != "" {
			return Block{}, false
		}
		uid = strings.TrimSpace(icsProps(part.raw)["UID"][0])
	}
	id, ok := blockIDFromUID(uid)
	if !ok {
		return Block{}, false
	}
	cal, err := ics.Parse(uid, obj)
	if err != nil {
		return Block{}, false
	}
	occs, problems := ics.Expand(cal, win.Start.Add(-maxBlockLen), win.End.Add(maxBlockLen), ics.ExpandOptions{})
	if len(problems) > 0 || len(occs) != 1 || occs[0].AllDay || occs[0].Cancelled {
		return Block{}, false
	}
	b := Block{ID: id, Start: occs[0].Start.UTC(), End: occs[0].End.UTC(), State: StateAccepted}
	if checkBlock(b) != nil {
		return Block{}, false
	}
	return b, true
}

// blockIDFromUID is BlockUID backwards: the block ID a Lull UID was made
// from, if uid is one BlockUID makes.
func blockIDFromUID(uid string) (string, bool) {
	rest, ok := strings.CutPrefix(uid, BlockUIDPrefix)
	if !ok || rest == "" {
		return "", false
	}
	var id strings.Builder
	for i := 0; i < len(rest); i++ {
		if rest[i] != '_' {
			id.WriteByte(rest[i])
			continue
		}
		if i+2 >= len(rest) {
			return "", false
		}
		v, err := hex.DecodeString(rest[i+1 : i+3])
		if err != nil {
			return "", false
		}
		id.WriteByte(v[0])
		i += 2
	}
	if BlockUID(id.String()) != uid {
		return "", false
	}
	return id.String(), true
}

// Reconcile reads the shared plan and says what this device changes in its
// stored blocks (local: its blocks over SharedWindow, any state) to hold
// it; it writes nothing to the server. The server wins over this device
// for every block another device changed since this device last saw it:
// a block new or moved there is adopted, a block gone from there is
// skipped. This device's own pending changes (a block it moved or skipped
// and has not published yet, because another device held the lease) stay
// and go out at its next publish. Reconcile remembers what it saw, so a
// later publish updates or removes adopted blocks with If-Match like the
// ones this device created.
func (p *CalDAVPublisher) Reconcile(ctx context.Context, local []Block) (SharedChanges, error) {
	var ch SharedChanges
	ctx, done := p.st.operation(ctx)
	remote, err := p.sharedPlan(ctx)
	if err = done(err); err != nil {
		return ch, err
	}
	recs, _, err := p.load()
	if err != nil {
		return ch, err
	}
	mine := map[string]Block{}
	for _, b := range local {
		mine[b.ID] = b
	}
	onServer := map[string]bool{}
	var remoteIvs []Interval
	for _, r := range remote {
		uid := BlockUID(r.ID)
		onServer[uid] = true
		remoteIvs = append(remoteIvs, r.Interval())
		rec, known := recs[uid]
		if known && rec.Start.Equal(r.Start) && rec.End.Equal(r.End) {
			// Unchanged on the server since this device last saw it: this
			// device's own pending change, if any, stands.
			if rec.ETag != r.ETag && r.ETag != "" {
				rec.ETag = r.ETag
				if err := p.remember(uid, rec); err != nil {
					return ch, err
				}
			}
			continue
		}
		if l, ok := mine[r.ID]; !ok || l.State != StateAccepted || !l.Start.Equal(r.Start) || !l.End.Equal(r.End) {
			b := r.Block
			b.Reason = "accepted on another of your devices"
			if known {
				b.Reason = "moved on another of your devices"
			}
			ch.Adopt = append(ch.Adopt, b)
		}
		if err := p.remember(uid, pubRecord{BlockID: r.ID, Href: r.Href, ETag: r.ETag, Start: r.Start, End: r.End}); err != nil {
			return ch, err
		}
	}
	win := SharedWindow(p.st.clk.Now())
	for _, uid := range sortedKeys(recs) {
		rec := recs[uid]
		if onServer[uid] || !rec.Interval().Overlaps(win) {
			continue
		}
		// Seen there before, gone now: skipped on another device.
		if l, ok := mine[rec.BlockID]; ok && l.State != StateSkipped {
			ch.Skipped = append(ch.Skipped, rec.BlockID)
		}
		if err := p.forget(uid, rec.BlockID, true); err != nil {
			return ch, err
		}
	}
	for _, id := range sortedKeys(mine) {
		l := mine[id]
		uid := BlockUID(id)
		if l.State != StateAccepted || onServer[uid] {
			continue
		}
		if _, published := recs[uid]; published {
			continue
		}
		for _, iv := range remoteIvs {
			if iv.Overlaps(l.Interval()) {
				ch.Dropped = append(ch.Dropped, l)
				break
			}
		}
	}
	return ch, nil
}

// PublishedIDs lists the blocks this device has seen on the shared
// calendar or written there (the ones a publish updates or removes with
// If-Match), by block ID.
func (p *CalDAVPublisher) PublishedIDs() (map[string]bool, error) {
	recs, _, err := p.load()
	if err != nil {
		return nil, err
	}
	out := make(map[string]bool, len(recs))
	for _, r := range recs {
		out[r.BlockID] = true
	}
	return out, nil
}

// Interval is the span of the recorded block.
func (r pubRecord) Interval() Interval { return Interval{Start: r.Start, End: r.End} }

// PlannerLease is the planner lease held by this device: the right to
// write the shared plan until Until (on the server's clock), or until
// released.
type PlannerLease struct {
	href  string
	etag  string
	Until time.Time
}

// AcquirePlanner takes the planner lease of the shared calendar for this
// device: it creates the lease object with If-None-Match: *, or, when the
// lease there is this device's own or expired, rewrites it with If-Match.
// Of devices trying at the same moment exactly one gets it; the others get
// ErrPlannerBusy, as does every device while another holds an unexpired
// lease.
func (p *CalDAVPublisher) AcquirePlanner(ctx context.Context) (*PlannerLease, error) {
	ctx, done := p.st.operation(ctx)
	l, err := p.acquire(ctx)
	if err = done(err); err != nil {
		return nil, fmt.Errorf("CalDAV calendar %q: %w", p.cfg.Name, err)
	}
	return l, nil
}

func (p *CalDAVPublisher) acquire(ctx context.Context) (*PlannerLease, error) {
	hc, password, err := p.client()
	if err != nil {
		return nil, err
	}
	me, err := p.deviceID()
	if err != nil {
		return nil, err
	}
	href := strings.TrimSuffix(p.cfg.CalendarPath, "/") + "/" + PlannerLeaseName
	got, err := p.getDated(ctx, hc, href)
	if err != nil {
		return nil, redactErr(err, password)
	}
	obj, etag, status := got.body, got.etag, got.status
	// The lease is dated and judged on the server's clock, the one clock
	// every device reads: a device whose own clock runs minutes ahead must
	// not think a live lease expired. A server that sends no Date leaves
	// each device's own clock.
	now := got.date
	if now.IsZero() {
		now = p.st.clk.Now()
	}
	until := now.Add(PlannerLeaseTTL)
	cond, val := "If-None-Match", "*"
	switch status {
	case http.StatusNotFound, http.StatusGone:
	case http.StatusOK:
		holder, held, ok := parseLease(obj)
		if !ok {
			return nil, fmt.Errorf("%w: %s is not Lull's planner lease; Lull leaves it alone and does not share the plan until it is removed", ErrNotLullObject, PlannerLeaseName)
		}
		if holder != me && held.After(now) {
			return nil, ErrPlannerBusy
		}
		if etag == "" {
			return nil, fmt.Errorf("%w: the server gave no ETag for %s", ErrPublishConflict, href)
		}
		cond, val = "If-Match", etag
	default:
		return nil, statusErr(status)
	}
	code, newTag, err := p.send(ctx, hc, http.MethodPut, href, leaseObject(me, now, until), cond, val)
	switch {
	case err != nil:
		return nil, redactErr(err, password)
	case code == http.StatusPreconditionFailed:
		// Another device wrote the lease between the read and the write.
		return nil, ErrPlannerBusy
	case code/100 != 2:
		return nil, statusErr(code)
	}
	if newTag == "" {
		if _, tag, st, err := p.get(ctx, hc, href); err == nil && st == http.StatusOK {
			newTag = tag
		}
	}
	return &PlannerLease{href: href, etag: newTag, Until: until}, nil
}

// ReleasePlanner gives the lease up so another device may write at once:
// it deletes the lease object if it is still the one this device wrote
// (If-Match); a lease another device took over in the meantime is left
// alone.
func (p *CalDAVPublisher) ReleasePlanner(ctx context.Context, l *PlannerLease) error {
	if l == nil || l.etag == "" {
		return nil // it expires by itself
	}
	ctx, done := p.st.operation(ctx)
	hc, password, err := p.client()
	if err == nil {
		var code int
		code, _, err = p.send(ctx, hc, http.MethodDelete, l.href, nil, "If-Match", l.etag)
		err = redactErr(err, password)
		if err == nil && code/100 != 2 && code != http.StatusNotFound && code != http.StatusPreconditionFailed {
			err = statusErr(code)
		}
	}
	if err = done(err); err != nil {
		return fmt.Errorf("CalDAV calendar %q: give the planner lease up: %w", p.cfg.Name, err)
	}
	return nil
}

// client is the HTTP client of the publisher's requests, with the
// password from the keyring.
func (p *CalDAVPublisher) client() (*davHTTP, string, error) {
	password, err := p.st.secrets.Get(secretPasswordKey(p.cfg.ID))
	if err != nil {
		return nil, "", fmt.Errorf("read its password from the keyring: %w", err)
	}
	return &davHTTP{hc: p.st.opts.HTTPClient, user: p.cfg.User, password: password, timeout: p.st.opts.Timeout, maxBytes: MaxDAVObjectBytes}, password, nil
}

// deviceID is this device's random identity on the calendar, made on
// first use and kept in the source's bucket.
func (p *CalDAVPublisher) deviceID() (string, error) {
	var id string
	err := p.st.updateSource(p.cfg.ID, func(b *bolt.Bucket) error {
		if v := b.Get(pubKeyDevice); len(v) > 0 {
			id = string(v)
			return nil
		}
		var raw [16]byte
		if _, err := rand.Read(raw[:]); err != nil {
			return err
		}
		id = hex.EncodeToString(raw[:])
		return b.Put(pubKeyDevice, []byte(id))
	})
	if err != nil {
		return "", fmt.Errorf("this device's identity: %w", err)
	}
	return id, nil
}

// leaseObject is the planner lease held by device until until.
func leaseObject(device string, now, until time.Time) []byte {
	const utc = "20060102T150405Z"
	var b strings.Builder
	b.WriteString("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:" + lullProdID + "\r\nCALSCALE:GREGORIAN\r\n")
	b.WriteString("BEGIN:VEVENT\r\nUID:" + PlannerLeaseUID + "\r\n")
	b.WriteString("DTSTAMP:" + now.UTC().Format(utc) + "\r\n")
	b.WriteString("DTSTART:19700101T000000Z\r\nDTEND:19700101T000100Z\r\n")
	b.WriteString("SUMMARY:Lull planner (used by Lull to share the plan between your devices)\r\n")
	b.WriteString("TRANSP:TRANSPARENT\r\n")
	b.WriteString("X-LULL-PLANNER:" + device + "\r\n")
	b.WriteString("X-LULL-PLANNER-UNTIL:" + until.UTC().Format(utc) + "\r\n")
	b.WriteString("END:VEVENT\r\nEND:VCALENDAR\r\n")
	return []byte(b.String())
}

// parseLease reads a lease object: who holds it until when. ok is false
// when obj is not Lull's lease.
func parseLease(obj []byte) (holder string, until time.Time, ok bool) {
	for _, part := range icsSplit(obj) {
		if part.comp != "VEVENT" {
			continue
		}
		props := icsProps(part.raw)
		if u := props["UID"]; len(u) != 1 || strings.TrimSpace(u[0]) != PlannerLeaseUID {
			return "", time.Time{}, false
		}
		h, t := props["X-LULL-PLANNER"], props["X-LULL-PLANNER-UNTIL"]
		if len(h) != 1 || len(t) != 1 {
			return "", time.Time{}, false
		}
		until, err := time.Parse("20060102T150405Z", strings.TrimSpace(t[0]))
		if err != nil {
			return "", time.Time{}, false
		}
		return strings.TrimSpace(h[0]), until, true
	}
	return "", time.Time{}, false
}
