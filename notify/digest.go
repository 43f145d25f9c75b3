package notify

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/lullapp/lull/internal/store"
	bolt "go.etcd.io/bbolt"
)

// DigestReason says why a digest was delivered.
type DigestReason string

// The reasons a digest is delivered.
const (
	DigestScheduled DigestReason = "scheduled"
	DigestFocusEnd  DigestReason = "focus-end"
	DigestCatchUp   DigestReason = "catch-up"
	DigestManual    DigestReason = "manual"
	// DigestQuietEnd: a meeting or a presentation ended (and no focus
	// runs) after notifications were held during it.
	DigestQuietEnd DigestReason = "quiet-end"
)

// Digest is one delivered summary: every held item it handed over.
type Digest struct {
	ID     string       `json:"id"`
	At     time.Time    `json:"at"`
	Reason DigestReason `json:"reason"`
	Items  []Item       `json:"items"`
	// Opened is when the user first opened the digest (clicked its
	// notification, or looked at it in the window or through the API);
	// zero when never.
	Opened time.Time `json:"opened,omitzero"`
}

// Total is how many notifications the digest stands for (collapsed repeats
// count each time).
func (d Digest) Total() int {
	n := 0
	for _, it := range d.Items {
		n += it.Count
	}
	return n
}

// SourceCount is one source's share of a digest.
type SourceCount struct {
	Source string
	Count  int
}

// Sources returns the per-source counts, largest first, then by name.
func (d Digest) Sources() []SourceCount {
	m := map[string]int{}
	for _, it := range d.Items {
		m[it.Source] += it.Count
	}
	out := make([]SourceCount, 0, len(m))
	for s, c := range m {
		out = append(out, SourceCount{s, c})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Source < out[j].Source
	})
	return out
}

// Group is one source's items in a digest, newest first.
type Group struct {
	Source string
	Count  int
	Items  []Item
}

// Groups returns the digest's items grouped by source (sources ordered as
// Sources), each group newest first: the digest view's layout.
func (d Digest) Groups() []Group {
	by := map[string][]Item{}
	for _, it := range d.Items {
		by[it.Source] = append(by[it.Source], it)
	}
	var out []Group
	for _, sc := range d.Sources() {
		items := by[sc.Source]
		sort.SliceStable(items, func(i, j int) bool { return items[i].LastAt.After(items[j].LastAt) })
		out = append(out, Group{sc.Source, sc.Count, items})
	}
	return out
}

// Limits on the digest popup's body, so it stays readable in a
// notification bubble (most servers show 3–5 lines of about 50 characters).
const (
	// MaxDigestTitles is how many titles (senders) are named per source.
	MaxDigestTitles = 2
	// MaxDigestTitleRunes cuts a long title.
	MaxDigestTitleRunes = 40
	// MaxDigestBodyRunes bounds the whole body; sources that do not fit
	// are summed up at the end ("+7 from 3 more sources").
	MaxDigestBodyRunes = 240
)

// TitleCount is one title's share of a source in a digest.
type TitleCount struct {
	Title string
	Count int
}

// Titles returns the distinct titles of group g (case-insensitive, as
// repeat escalation tells senders apart), most frequent first, then newest,
// each spelled as its newest: for desktop chat and mail apps, who wrote.
func (g Group) Titles() []TitleCount {
	at := map[string]int{}
	var out []TitleCount // newest first, as g.Items
	for _, it := range g.Items {
		t := strings.TrimSpace(it.Title)
		k := strings.ToLower(t)
		i, seen := at[k]
		if !seen {
			i = len(out)
			at[k] = i
			out = append(out, TitleCount{Title: t})
		}
		out[i].Count += max(it.Count, 1)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Count > out[j].Count })
	return out
}

// Message is the one OS notification that announces the digest: the total
// and, per source, the top titles, so the user sees who wrote without
// opening Lull: "Lull — 14 held" / "Slack: Alice ×4, Bob +3 · ci: Nightly
// failed", within MaxDigestBodyRunes.
func (d Digest) Message() Message {
	groups := d.Groups()
	var parts []string
	used, left, leftSources := 0, 0, 0
	for _, g := range groups {
		part := groupLine(g)
		n := utf8.RuneCountInString(part) + len(" · ")
		if leftSources > 0 || used+n > MaxDigestBodyRunes && len(parts) > 0 {
			left += g.Count
			leftSources++
			continue
		}
		parts = append(parts, part)
		used += n
	}
	if leftSources > 0 {
		more := "more source"
		if leftSources > 1 {
			more += "s"
		}
		parts = append(parts, fmt.Sprintf("+%d from %d %s", left, leftSources, more))
	}
	return Message{Title: fmt.Sprintf("Lull — %d held", d.Total()), Body: strings.Join(parts, " · ")}
}

// groupLine is one source in the digest popup: "Slack: Alice ×4, Bob +3".
func groupLine(g Group) string {
	titles := g.Titles()
	var names []string
	shown := 0
	for _, tc := range titles {
		if tc.Title == "" {
			continue
		}
		if len(names) == MaxDigestTitles {
			break
		}
		name := cut(tc.Title, MaxDigestTitleRunes)
		if tc.Count > 1 {
			name += " ×" + strconv.Itoa(tc.Count)
		}
		names = append(names, name)
		shown += tc.Count
	}
	if len(names) == 0 {
		return cut(g.Source, MaxDigestTitleRunes) + " " + strconv.Itoa(g.Count)
	}
	line := cut(g.Source, MaxDigestTitleRunes) + ": " + strings.Join(names, ", ")
	if rest := g.Count - shown; rest > 0 {
		line += " +" + strconv.Itoa(rest)
	}
	return line
}

// cut shortens s to n runes, ending it with "…" when cut.
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

// takeDigest moves every held item that is due (due nil: every one) into a
// new digest record at now, in one transaction, and stores now as the last
// digest time. ok is false (and nothing but the time is written) when
// nothing due is held.
func (q *Queue) takeDigest(now time.Time, reason DigestReason, due func(Item) bool) (d Digest, ok bool, err error) {
	q.writeMu.Lock()
	defer q.writeMu.Unlock()
	if err := q.applyLocked(); err != nil {
		return Digest{}, false, fmt.Errorf("take digest: %w", err)
	}
	err = q.db.Update(func(tx *bolt.Tx) error {
		if err := tx.Bucket(bucketMeta).Put(keyLastDigest, timeBytes(now)); err != nil {
			return err
		}
		qb := tx.Bucket(bucketQueue)
		var keys [][]byte
		err := qb.ForEach(func(k, v []byte) error {
			var it Item
			if err := json.Unmarshal(v, &it); err != nil {
				return fmt.Errorf("queue item %x: %w", k, err)
			}
			if due != nil && !due(it) {
				return nil
			}
			d.Items = append(d.Items, it)
			keys = append(keys, append([]byte(nil), k...))
			return nil
		})
		if err != nil || len(keys) == 0 {
			return err
		}
		for _, k := range keys {
			if err := qb.Delete(k); err != nil {
				return err
			}
		}
		db := tx.Bucket(bucketDigests)
		seq, _ := db.NextSequence()
		k := store.TimeKey(now, seq)
		d.ID, d.At, d.Reason, ok = hex.EncodeToString(k), now, reason, true
		if err := q.countDay(tx, now, 1, 0); err != nil {
			return err
		}
		return putJSON(db, k, d)
	})
	if err != nil {
		return Digest{}, false, fmt.Errorf("take digest: %w", err)
	}
	if ok && due == nil {
		clear(q.index)
	} else if ok {
		taken := make(map[string]bool, len(d.Items))
		for _, it := range d.Items {
			if k, err := hex.DecodeString(it.ID); err == nil {
				taken[string(k)] = true
			}
		}
		for h, k := range q.index {
			if taken[string(k)] {
				delete(q.index, h)
			}
		}
	}
	return d, ok, nil
}

// SetLocation changes the zone of the per-day counters (the user changed
// the time zone setting); days already counted keep their dates.
func (q *Queue) SetLocation(loc *time.Location) {
	if loc == nil {
		loc = time.Local
	}
	q.loc.Store(loc)
}

// LastDigest returns when the last digest was taken (zero if never).
func (q *Queue) LastDigest() (time.Time, error) {
	var t time.Time
	err := q.db.View(func(tx *bolt.Tx) error {
		t = bytesTime(tx.Bucket(bucketMeta).Get(keyLastDigest))
		return nil
	})
	return t, err
}

func (q *Queue) setLastDigest(t time.Time) error {
	return q.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMeta).Put(keyLastDigest, timeBytes(t))
	})
}

// ListDigests returns up to limit digests delivered in [from, to), newest
// first (limit <= 0: all).
func (q *Queue) ListDigests(from, to time.Time, limit int) ([]Digest, error) {
	var out []Digest
	err := q.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketDigests).Cursor()
		lo := store.TimeKey(from, 0)
		k, v := c.Seek(store.TimeKey(to, 0))
		if k == nil {
			k, v = c.Last()
		} else {
			k, v = c.Prev()
		}
		for ; k != nil && string(k) >= string(lo); k, v = c.Prev() {
			if string(k) >= string(store.TimeKey(to, 0)) {
				continue
			}
			var d Digest
			if err := json.Unmarshal(v, &d); err != nil {
				return fmt.Errorf("digest %x: %w", k, err)
			}
			out = append(out, d)
			if limit > 0 && len(out) >= limit {
				break
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list digests: %w", err)
	}
	return out, nil
}

// MarkOpened records that digest digestID was opened at at; an earlier
// opening is kept.
func (q *Queue) MarkOpened(digestID string, at time.Time) error {
	return q.updateDigest(digestID, func(d *Digest) error {
		if d.Opened.IsZero() {
			d.Opened = at
		}
		return nil
	})
}

// MarkRead marks one item of a digest as read, or every item when itemID
// is empty.
func (q *Queue) MarkRead(digestID, itemID string) error {
	return q.updateDigest(digestID, func(d *Digest) error {
		hit := false
		for i := range d.Items {
			if itemID == "" || d.Items[i].ID == itemID {
				d.Items[i].Read, hit = true, true
			}
		}
		if !hit {
			return fmt.Errorf("item %q in digest %q: %w", itemID, digestID, ErrNotFound)
		}
		return nil
	})
}

// updateDigest reads digest digestID, lets change edit it and writes it
// back in one transaction; an unknown or malformed ID is ErrNotFound.
func (q *Queue) updateDigest(digestID string, change func(*Digest) error) error {
	k, err := hex.DecodeString(digestID)
	if err != nil || len(k) != 16 {
		return fmt.Errorf("digest %q: %w", digestID, ErrNotFound)
	}
	return q.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketDigests)
		raw := b.Get(k)
		if raw == nil {
			return fmt.Errorf("digest %q: %w", digestID, ErrNotFound)
		}
		var d Digest
		if err := json.Unmarshal(raw, &d); err != nil {
			return fmt.Errorf("digest %q: %w", digestID, err)
		}
		if err := change(&d); err != nil {
			return err
		}
		return putJSON(b, k, d)
	})
}
