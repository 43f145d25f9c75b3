package focus

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"os"
	"sort"
	"testing"
	"time"

	"github.com/lullapp/lull/calendar"
	"github.com/lullapp/lull/internal/store"
	bolt "go.etcd.io/bbolt"
)

// hourlyStats is how notify should count for the report: one bbolt key per
// UTC hour (8-byte big-endian Unix hour) holding two uint32 counters
// (batched, digests), incremented in the same transaction that queues a
// notification or records a digest. A week is then one cursor range of 168
// keys, whatever the number of notifications. (Half-hour zones need
// 30-minute keys; the idea is the same.)
type hourlyStats struct {
	db     *store.DB
	bucket []byte
}

func hourKey(t time.Time) []byte {
	return binary.BigEndian.AppendUint64(nil, uint64(t.Unix()/3600))
}

// add counts n batched notifications and d digests in t's hour.
func (h *hourlyStats) add(tx *bolt.Tx, t time.Time, n, d uint32) error {
	b, err := tx.CreateBucketIfNotExists(h.bucket)
	if err != nil {
		return err
	}
	k := hourKey(t)
	v := make([]byte, 8)
	if old := b.Get(k); len(old) == 8 {
		copy(v, old)
	}
	binary.BigEndian.PutUint32(v[:4], binary.BigEndian.Uint32(v[:4])+n)
	binary.BigEndian.PutUint32(v[4:], binary.BigEndian.Uint32(v[4:])+d)
	return b.Put(k, v)
}

func (h *hourlyStats) Stats(from, to time.Time) (batched, digests int, err error) {
	err = h.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(h.bucket)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		end := hourKey(to)
		for k, v := c.Seek(hourKey(from)); k != nil && string(k) < string(end); k, v = c.Next() {
			batched += int(binary.BigEndian.Uint32(v[:4]))
			digests += int(binary.BigEndian.Uint32(v[4:]))
		}
		return nil
	})
	return batched, digests, err
}

// sortedBlocks is a BlockSource over a sorted slice (binary search).
type sortedBlocks []Block

func (s sortedBlocks) Blocks(from, to time.Time) ([]Block, error) {
	i := sort.Search(len(s), func(i int) bool { return s[i].End.After(from) })
	var out []Block
	for ; i < len(s) && s[i].Start.Before(to); i++ {
		out = append(out, s[i])
	}
	return out, nil
}

type history struct {
	log        *Log
	deps       Deps
	cfg        Config
	now        time.Time
	sessions   int
	notified   int
	fileBytes  int64
	leafInuse  int
	pageAlloc  int
	valueBytes int
}

// buildHistory writes five years of synthetic sessions through the log's
// own write path (begin, then end: two transactions each, as the engine
// does) and ~500,000 held notifications into hourly counters.
func buildHistory(tb testing.TB) *history {
	loc := mustLoc(tb, "Europe/Berlin")
	db := mustOpenDB(tb, true)
	l, err := OpenLog(db)
	if err != nil {
		tb.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	h := &history{log: l, cfg: DefaultConfig(loc), now: time.Date(2026, 11, 20, 17, 0, 0, 0, loc)}
	stats := &hourlyStats{db: db, bucket: []byte("bench_notify_hourly")}
	var blocks sortedBlocks
	var busy fakeBusy
	first := h.now.AddDate(-5, 0, 0)
	for day := first; day.Before(h.now); day = day.AddDate(0, 0, 1) {
		y, m, d := day.Date()
		at := func(hh, mm int) time.Time { return time.Date(y, m, d, hh, mm, 0, 0, loc) }
		weekend := day.Weekday() == time.Saturday || day.Weekday() == time.Sunday
		if !weekend {
			blocks = append(blocks, Block{ID: fmt.Sprintf("lull-%04d%02d%02d-0900", y, m, d), Start: at(9, 0), End: at(11, 0)})
			busy = append(busy, calendar.Interval{Start: at(13, 0), End: at(14, 0)}, calendar.Interval{Start: at(15, 30), End: at(16, 0)})
		}
		n := 7
		if weekend {
			n = 2
		}
		t := at(8, 0)
		for i := 0; i < n; i++ {
			t = t.Add(time.Duration(5+rng.IntN(20)) * time.Minute)
			s := Session{Kind: Manual, Start: t, LastAlive: t, Outcome: Running}
			length := time.Duration(25+rng.IntN(65)) * time.Minute
			if i == 0 && !weekend {
				s.Kind, s.BlockID, s.PlannedEnd = Scheduled, blocks[len(blocks)-1].ID, blocks[len(blocks)-1].End
			} else {
				s.PlannedEnd = t.Add(length)
			}
			if err := l.begin(&s); err != nil {
				tb.Fatal(err)
			}
			if rng.IntN(5) == 0 {
				s.Interruptions = append(s.Interruptions, Interruption{ID: fmt.Sprint(rng.Uint32()), Source: "pager", Title: "Disk 91% on db-2", At: t.Add(10 * time.Minute)})
			}
			t = t.Add(length)
			s.End, s.LastAlive, s.Outcome = t, t, Completed
			if err := l.put(&s); err != nil {
				tb.Fatal(err)
			}
			h.sessions++
		}
		// ~274 held notifications a day and three digests, counted hourly.
		err := db.Update(func(tx *bolt.Tx) error {
			for hh := 0; hh < 24; hh++ {
				n := uint32(rng.IntN(23))
				var dg uint32
				if hh == 9 || hh == 12 || hh == 16 {
					dg = 1
				}
				h.notified += int(n)
				if err := stats.add(tx, at(hh, 0), n, dg); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			tb.Fatal(err)
		}
	}
	h.deps = Deps{Blocks: blocks, Busy: busy, NotifyStats: stats, WorkingHours: weekdayHours(loc, 9, 17)}
	db.View(func(tx *bolt.Tx) error {
		st := tx.Bucket(sessionsBucket).Stats()
		h.leafInuse = st.LeafInuse
		h.pageAlloc = st.LeafAlloc + st.BranchAlloc
		return tx.Bucket(sessionsBucket).ForEach(func(k, v []byte) error {
			h.valueBytes += len(k) + len(v)
			return nil
		})
	})
	if fi, err := os.Stat(db.Path()); err == nil {
		h.fileBytes = fi.Size()
	}
	return h
}

// BenchmarkWeeklyReport computes the current week's report over five years
// of history. Every week meets the goal, so the streak walks all ~260 weeks:
// the worst case.
func BenchmarkWeeklyReport(b *testing.B) {
	h := buildHistory(b)
	w := h.cfg.WeekOf(h.now)
	var r *WeeklyReport
	for b.Loop() {
		var err error
		r, err = BuildReport(h.log, h.cfg, h.deps, w, h.now)
		if err != nil {
			b.Fatal(err)
		}
	}
	if r.Streak < 250 {
		b.Fatalf("streak %d: the benchmark should walk the whole history", r.Streak)
	}
	b.ReportMetric(float64(h.sessions), "sessions")
	b.ReportMetric(float64(h.notified), "notifications")
	b.ReportMetric(float64(h.valueBytes)/float64(h.sessions), "kv-B/session")
	b.ReportMetric(float64(h.leafInuse)/float64(h.sessions), "leaf-B/session")
	b.ReportMetric(float64(h.pageAlloc)/float64(h.sessions), "pages-B/session")
}

// TestStorageBudget checks the per-session footprint (key, value and
// bbolt's leaf element header) stays within 200 bytes on realistic data.
func TestStorageBudget(t *testing.T) {
	if testing.Short() {
		t.Skip("writes five years of history")
	}
	h := buildHistory(t)
	per := float64(h.leafInuse) / float64(h.sessions)
	t.Logf("%d sessions, %d notifications: key+value %.1f B, leaf in use %.1f B, pages allocated %.1f B per session (whole file with notify counters: %d KiB)",
		h.sessions, h.notified, float64(h.valueBytes)/float64(h.sessions), per, float64(h.pageAlloc)/float64(h.sessions), h.fileBytes/1024)
	if per > 200 {
		t.Errorf("%.1f bytes per session in bbolt leaves, budget 200", per)
	}
	if h.sessions < 9000 || h.notified < 450000 {
		t.Errorf("history too small: %d sessions, %d notifications", h.sessions, h.notified)
	}
}
