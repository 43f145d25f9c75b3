package calendar

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Sub-buckets of a CalDAV source's bucket used by its publisher.
var (
	pubKeyObjects    = []byte("published")  // UID → pubRecord JSON
	pubKeyTombstones = []byte("tombstones") // block ID → time the user deleted it
)

// pubRecord is what Lull remembers of an object it created on the server.
type pubRecord struct {
	BlockID string    `json:"block_id"`
	Href    string    `json:"href"`
	ETag    string    `json:"etag"`
	Start   time.Time `json:"start"`
	End     time.Time `json:"end"`
}

// CalDAVPublisher writes focus blocks to the calendar of a CalDAV source,
// one object per block at <calendar>/<uid>.ics. It creates with
// If-None-Match: *, updates and deletes with If-Match: <etag>, and before
// any change re-reads the object and checks that it is Lull's (UID prefix
// and X-LULL-BLOCK:1), so it never modifies or deletes an event it did not
// create. A block the user deleted on the server is remembered (tombstone)
// and never re-created.
type CalDAVPublisher struct {
	st  *SourceStore
	cfg SourceConfig
}

// SyncResult lists, by block ID, what a Sync did.
type SyncResult struct {
	// Created are blocks newly written to the server.
	Created []string
	// Updated are blocks whose time changed and were rewritten.
	Updated []string
	// Deleted are blocks no longer wanted and removed from the server.
	Deleted []string
	// GoneOnServer are blocks Lull had created that the user deleted on the
	// server; the caller tombstones them (the publisher also never re-creates
	// them).
	GoneOnServer []string
	// Skipped are wanted blocks not written because they were tombstoned.
	Skipped []string
	// Conflicts are blocks left alone because the object changed on the
	// server or is not Lull's.
	Conflicts []string
}

// Publisher returns the publisher writing to CalDAV source sourceID's
// calendar.
func (s *SourceStore) Publisher(sourceID string) (*CalDAVPublisher, error) {
	cfg, err := s.Config(sourceID)
	if err != nil {
		return nil, err
	}
	if cfg.Kind != SourceCalDAV {
		return nil, fmt.Errorf("calendar source %q is a %s source: %w: only CalDAV calendars take focus blocks", sourceID, cfg.Kind, ErrBadSource)
	}
	return &CalDAVPublisher{st: s, cfg: cfg}, nil
}

// Put implements Publisher: it creates the block, or updates it when its
// time changed. A tombstoned block is not re-created.
func (p *CalDAVPublisher) Put(ctx context.Context, b Block) error {
	res, err := p.sync(ctx, nil, &b, "")
	if err != nil {
		return err
	}
	if len(res.Skipped) > 0 || len(res.GoneOnServer) > 0 {
		return fmt.Errorf("focus block %q: %w", b.ID, ErrBlockDeletedByUser)
	}
	return res.err()
}

// Remove implements Publisher: it deletes the block if Lull created it and
// it did not change on the server.
func (p *CalDAVPublisher) Remove(ctx context.Context, id string) error {
	res, err := p.sync(ctx, nil, nil, id)
	if err != nil {
		return err
	}
	return res.err()
}

func (r SyncResult) err() error {
	if len(r.Conflicts) > 0 {
		return fmt.Errorf("focus block %s: %w", strings.Join(r.Conflicts, ", "), ErrPublishConflict)
	}
	return nil
}

// Sync makes the server hold exactly the wanted blocks among Lull's
// objects: create missing ones, update moved ones, delete unwanted ones
// that have not ended yet (past blocks stay as history), and
// report the ones the user deleted on the server (GoneOnServer), which are
// tombstoned and never re-created. Objects Lull did not create are never
// touched. Errors on single objects do not stop the others; they are joined
// in the returned error.
func (p *CalDAVPublisher) Sync(ctx context.Context, want []Block) (SyncResult, error) {
	return p.sync(ctx, want, nil, "")
}

// sync is Sync's engine, bounded as one operation (OperationTimeout); a
// non-nil put or a remove ID restricts it to that one block and leaves the
// other records alone.
func (p *CalDAVPublisher) sync(ctx context.Context, want []Block, put *Block, remove string) (SyncResult, error) {
	ctx, done := p.st.operation(ctx)
	res, err := p.syncOnce(ctx, want, put, remove)
	return res, done(err)
}

func (p *CalDAVPublisher) syncOnce(ctx context.Context, want []Block, put *Block, remove string) (SyncResult, error) {
	var res SyncResult
	hc, password, err := p.client()
	if err != nil {
		return res, fmt.Errorf("CalDAV calendar %q: %w", p.cfg.Name, err)
	}
	recs, tombs, err := p.load()
	if err != nil {
		return res, err
	}
	partial := put != nil || remove != ""
	wanted := map[string]Block{}
	if put != nil {
		wanted[BlockUID(put.ID)] = *put
	}
	for _, b := range want {
		wanted[BlockUID(b.ID)] = b
	}
	var errs []error
	fail := func(id string, err error) {
		errs = append(errs, fmt.Errorf("focus block %q: %w", id, redactErr(err, password)))
	}
	now := p.st.clk.Now()
	for _, uid := range sortedKeys(recs) {
		rec := recs[uid]
		b, isWanted := wanted[uid]
		if partial && !isWanted && (remove == "" || rec.BlockID != remove) {
			continue
		}
		if !isWanted && remove == "" && !rec.End.After(now) {
			// A block that has ended is history: the plan no longer lists
			// it, but it stays in the calendar.
			continue
		}
		obj, etag, status, err := p.get(ctx, hc, rec.Href)
		switch {
		case err != nil:
			// Unchecked: neither rewrite nor re-create it this time.
			fail(rec.BlockID, err)
			delete(wanted, uid)
			continue
		case status == http.StatusNotFound || status == http.StatusGone:
			// Lull created it and it is gone: the user deleted it.
			res.GoneOnServer = append(res.GoneOnServer, rec.BlockID)
			if err := p.forget(uid, rec.BlockID, true); err != nil {
				fail(rec.BlockID, err)
			}
			delete(wanted, uid)
			continue
		case status != http.StatusOK:
			fail(rec.BlockID, statusErr(status))
			continue
		case !isOwnObject(obj, uid):
			// Replaced by something that is not Lull's: never touch it again.
			res.Conflicts = append(res.Conflicts, rec.BlockID)
			if err := p.forget(uid, rec.BlockID, false); err != nil {
				fail(rec.BlockID, err)
			}
			delete(wanted, uid)
			continue
		}
		if !isWanted {
			code, _, err := p.send(ctx, hc, http.MethodDelete, rec.Href, nil, "If-Match", etag)
			switch {
			case err != nil:
				fail(rec.BlockID, err)
			case code == http.StatusPreconditionFailed:
				res.Conflicts = append(res.Conflicts, rec.BlockID)
			case code/100 == 2 || code == http.StatusNotFound:
				res.Deleted = append(res.Deleted, rec.BlockID)
				if err := p.forget(uid, rec.BlockID, false); err != nil {
					fail(rec.BlockID, err)
				}
			default:
				fail(rec.BlockID, statusErr(code))
			}
			continue
		}
		delete(wanted, uid)
		if b.Start.Equal(rec.Start) && b.End.Equal(rec.End) {
			if etag != rec.ETag {
				rec.ETag = etag
				if err := p.remember(uid, rec); err != nil {
					fail(b.ID, err)
				}
			}
			continue
		}
		code, newTag, err := p.send(ctx, hc, http.MethodPut, rec.Href, blockObjectICS(b, p.st.clk.Now()), "If-Match", etag)
		switch {
		case err != nil:
			fail(b.ID, err)
		case code == http.StatusPreconditionFailed:
			res.Conflicts = append(res.Conflicts, b.ID)
		case code/100 == 2:
			res.Updated = append(res.Updated, b.ID)
			if err := p.remember(uid, p.record(ctx, hc, b, rec.Href, newTag)); err != nil {
				fail(b.ID, err)
			}
		default:
			fail(b.ID, statusErr(code))
		}
	}
	for _, uid := range sortedKeys(wanted) {
		b := wanted[uid]
		if _, gone := tombs[b.ID]; gone {
			res.Skipped = append(res.Skipped, b.ID)
			continue
		}
		href := strings.TrimSuffix(p.cfg.CalendarPath, "/") + "/" + uid + ".ics"
		code, newTag, err := p.send(ctx, hc, http.MethodPut, href, blockObjectICS(b, p.st.clk.Now()), "If-None-Match", "*")
		switch {
		case err != nil:
			fail(b.ID, err)
		case code == http.StatusPreconditionFailed:
			// Something already lives there although Lull has no record of
			// creating it: adopt it only if it is provably Lull's.
			obj, etag, status, gerr := p.get(ctx, hc, href)
			if gerr != nil || status != http.StatusOK || !isOwnObject(obj, uid) {
				res.Conflicts = append(res.Conflicts, b.ID)
				continue
			}
			code, newTag, err = p.send(ctx, hc, http.MethodPut, href, blockObjectICS(b, p.st.clk.Now()), "If-Match", etag)
			if err != nil || code/100 != 2 {
				res.Conflicts = append(res.Conflicts, b.ID)
				continue
			}
			res.Updated = append(res.Updated, b.ID)
			if err := p.remember(uid, p.record(ctx, hc, b, href, newTag)); err != nil {
				fail(b.ID, err)
			}
		case code/100 == 2:
			res.Created = append(res.Created, b.ID)
			if err := p.remember(uid, p.record(ctx, hc, b, href, newTag)); err != nil {
				fail(b.ID, err)
			}
		default:
			fail(b.ID, statusErr(code))
		}
	}
	if len(errs) > 0 {
		return res, fmt.Errorf("CalDAV calendar %q: %w", p.cfg.Name, errors.Join(errs...))
	}
	return res, nil
}

// record builds the record of a block just written; when the server sent
// no ETag it is read back with a GET.
func (p *CalDAVPublisher) record(ctx context.Context, hc *davHTTP, b Block, href, etag string) pubRecord {
	if etag == "" {
		if _, tag, status, err := p.get(ctx, hc, href); err == nil && status == http.StatusOK {
			etag = tag
		}
	}
	return pubRecord{BlockID: b.ID, Href: href, ETag: etag, Start: b.Start.UTC(), End: b.End.UTC()}
}

// Tombstones returns the IDs of blocks the user deleted on the server.
func (p *CalDAVPublisher) Tombstones() ([]string, error) {
	_, tombs, err := p.load()
	if err != nil {
		return nil, err
	}
	return sortedKeys(tombs), nil
}

// isOwnObject reports whether obj is a calendar object Lull wrote for uid:
// a VCALENDAR whose every component is a VEVENT with that UID, Lull's
// prefix and X-LULL-BLOCK:1 (besides the VTIMEZONE a calendar app adds
// when the user moves the block there).
func isOwnObject(obj []byte, uid string) bool {
	parts := icsSplit(obj)
	n := 0
	for _, part := range parts {
		if part.comp == "" || part.comp == "VTIMEZONE" {
			continue
		}
		if !isLullBlock(part) {
			return false
		}
		if got := icsProps(part.raw)["UID"]; len(got) != 1 || strings.TrimSpace(got[0]) != uid {
			return false
		}
		n++
	}
	return n > 0
}

// get fetches an object; a 404 is a status, not an error.
func (p *CalDAVPublisher) get(ctx context.Context, hc *davHTTP, href string) (body []byte, etag string, status int, err error) {
	g, err := p.getDated(ctx, hc, href)
	return g.body, g.etag, g.status, err
}

// davGot is one GET's answer: the object, its ETag, the status, and the
// server's clock when it answered (its Date header; zero when it sent none
// or one that does not parse).
type davGot struct {
	body   []byte
	etag   string
	status int
	date   time.Time
}

// getDated fetches an object like get and also reads the server's clock.
func (p *CalDAVPublisher) getDated(ctx context.Context, hc *davHTTP, href string) (davGot, error) {
	var g davGot
	target, err := resolveDAV(p.cfg.ServerURL, href)
	if err != nil {
		return g, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return g, err
	}
	req.Header.Set("Accept", "text/calendar")
	resp, err := hc.Do(req)
	if err != nil {
		return g, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
		g.status = resp.StatusCode
		return g, statusErr(resp.StatusCode)
	}
	body, err := readCapped(resp.Body, MaxDAVObjectBytes)
	if err != nil {
		return davGot{}, davErr(hc, err)
	}
	g.body, g.etag, g.status = body, resp.Header.Get("ETag"), resp.StatusCode
	if d, err := http.ParseTime(resp.Header.Get("Date")); err == nil {
		g.date = d
	}
	return g, nil
}

// send issues a PUT or DELETE with one precondition header and returns the
// status and the new ETag.
func (p *CalDAVPublisher) send(ctx context.Context, hc *davHTTP, method, href string, body []byte, condHeader, condValue string) (int, string, error) {
	if condValue == "" {
		// Never write without a precondition: without an ETag Lull cannot
		// prove the object is still the one it checked.
		return 0, "", fmt.Errorf("%w: the server gave no ETag for %s", ErrPublishConflict, href)
	}
	target, err := resolveDAV(p.cfg.ServerURL, href)
	if err != nil {
		return 0, "", err
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, rd)
	if err != nil {
		return 0, "", err
	}
	if body != nil {
		req.Header.Set("Content-Type", "text/calendar; charset=utf-8")
		req.ContentLength = int64(len(body))
	}
	req.Header.Set(condHeader, condValue)
	resp, err := hc.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body) // capped by davHTTP at MaxDAVObjectBytes
	if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
		return resp.StatusCode, "", statusErr(resp.StatusCode)
	}
	return resp.StatusCode, resp.Header.Get("ETag"), nil
}

// load reads the publisher's records and tombstones.
func (p *CalDAVPublisher) load() (map[string]pubRecord, map[string]time.Time, error) {
	recs := map[string]pubRecord{}
	tombs := map[string]time.Time{}
	err := p.st.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(sourcesBucket).Bucket([]byte(p.cfg.ID))
		if b == nil {
			return fmt.Errorf("calendar source %q: %w", p.cfg.ID, ErrNoSuchSource)
		}
		if ob := b.Bucket(pubKeyObjects); ob != nil {
			if err := ob.ForEach(func(k, v []byte) error {
				var r pubRecord
				if err := json.Unmarshal(v, &r); err != nil {
					return err
				}
				recs[string(k)] = r
				return nil
			}); err != nil {
				return err
			}
		}
		if tb := b.Bucket(pubKeyTombstones); tb != nil {
			return tb.ForEach(func(k, v []byte) error {
				var t time.Time
				if err := t.UnmarshalBinary(v); err != nil {
					return err
				}
				tombs[string(k)] = t
				return nil
			})
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("CalDAV calendar %q: published blocks: %w", p.cfg.Name, err)
	}
	return recs, tombs, nil
}

// remember stores the record of an object Lull wrote.
func (p *CalDAVPublisher) remember(uid string, r pubRecord) error {
	return p.st.updateSource(p.cfg.ID, func(b *bolt.Bucket) error {
		ob, err := b.CreateBucketIfNotExists(pubKeyObjects)
		if err != nil {
			return err
		}
		raw, err := json.Marshal(r)
		if err != nil {
			return err
		}
		return ob.Put([]byte(uid), raw)
	})
}

// forget drops a record, and with tombstone remembers that the user deleted
// the block so it is never re-created.
func (p *CalDAVPublisher) forget(uid, blockID string, tombstone bool) error {
	now := p.st.clk.Now().UTC()
	return p.st.updateSource(p.cfg.ID, func(b *bolt.Bucket) error {
		if ob := b.Bucket(pubKeyObjects); ob != nil {
			if err := ob.Delete([]byte(uid)); err != nil {
				return err
			}
		}
		if !tombstone {
			return nil
		}
		tb, err := b.CreateBucketIfNotExists(pubKeyTombstones)
		if err != nil {
			return err
		}
		raw, err := now.MarshalBinary()
		if err != nil {
			return err
		}
		return tb.Put([]byte(blockID), raw)
	})
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
