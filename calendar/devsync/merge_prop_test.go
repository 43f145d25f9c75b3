package devsync

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/lullapp/lull/calendar"
	"github.com/lullapp/lull/focus"
	"github.com/lullapp/lull/internal/store"
)

// genLog makes the sessions of n devices over a week: each device's own
// sessions never overlap, different devices' often do.
func genLog(rng *rand.Rand, n int, start time.Time) []Session {
	var out []Session
	for d := 0; d < n; d++ {
		dev := fmt.Sprintf("dev%02d", d)
		t := start.Add(time.Duration(rng.IntN(120)) * time.Minute)
		for i := 0; i < 5+rng.IntN(25); i++ {
			length := time.Duration(5+rng.IntN(180)) * time.Minute
			out = append(out, Session{UID: SessionUID(dev, fmt.Sprintf("%03d", i)), Device: dev, DeviceName: "name-" + dev,
				Start: t, End: t.Add(length), Interruptions: rng.IntN(4)})
			t = t.Add(length + time.Duration(rng.IntN(600))*time.Minute)
		}
	}
	return out
}

// deliveries replays the log as a sync would meet it: every session at
// least once, some many times, some as a rewritten version, in any order,
// in batches of any size.
func deliveries(rng *rand.Rand, log []Session) [][]Session {
	var all []Session
	for _, s := range log {
		for k := 0; k < 1+rng.IntN(3); k++ {
			all = append(all, s)
		}
		if rng.IntN(5) == 0 {
			v := s
			v.End = v.End.Add(-time.Duration(1+rng.IntN(10)) * time.Minute)
			all = append(all, v) // an older, shorter version: Merge keeps the longer one
		}
	}
	rng.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
	var batches [][]Session
	for len(all) > 0 {
		n := 1 + rng.IntN(len(all))
		batches = append(batches, all[:n])
		all = all[n:]
	}
	return batches
}

// report is what the focus report makes of the stored sessions: the
// week's total (union) and the per-device split.
func report(t *testing.T, st *Store, span calendar.Interval) (time.Duration, []focus.DeviceFocus) {
	t.Helper()
	got, err := st.Remote(span.Start, span.End)
	if err != nil {
		t.Fatal(err)
	}
	var rs []focus.RemoteSession
	for _, s := range got {
		rs = append(rs, focus.RemoteSession{Device: s.DeviceName, Start: s.Start, End: s.End, Interruptions: s.Interruptions})
	}
	all, devs := focus.SplitDevices("this", nil, 0, rs, span)
	var total time.Duration
	for _, iv := range all {
		total += iv.Duration()
	}
	return total, devs
}

// TestMergeProperty: any interleaving of N devices' sessions, replayed in
// any order with duplicates and stale versions, gives the same stored log
// and the same report as the log itself, merged once.
func TestMergeProperty(t *testing.T) {
	start := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	span := calendar.Interval{Start: start.Add(-24 * time.Hour), End: start.Add(30 * 24 * time.Hour)}
	for seed := uint64(1); seed <= 60; seed++ {
		rng := rand.New(rand.NewPCG(seed, seed*7919))
		log := genLog(rng, 2+rng.IntN(5), start)
		want := Merge(log)
		var wantTotal time.Duration
		var wantDevs []focus.DeviceFocus
		for run := 0; run < 3; run++ {
			db, err := store.Open(filepath.Join(t.TempDir(), "lull.db"), store.Options{NoSync: true})
			if err != nil {
				t.Fatal(err)
			}
			st, err := OpenStore(db)
			if err != nil {
				t.Fatal(err)
			}
			for _, batch := range deliveries(rng, log) {
				if err := st.AddRemote(batch); err != nil {
					t.Fatal(err)
				}
			}
			got, err := st.Remote(span.Start, span.End)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(Merge(got), want) || len(got) != len(want) {
				t.Fatalf("seed %d run %d: stored %d sessions, want the %d of the log once each", seed, run, len(got), len(want))
			}
			total, devs := report(t, st, span)
			if run == 0 {
				wantTotal, wantDevs = total, devs
			} else if total != wantTotal || !reflect.DeepEqual(devs, wantDevs) {
				t.Fatalf("seed %d run %d: report %v %+v, first run %v %+v", seed, run, total, devs, wantTotal, wantDevs)
			}
			db.Close()
		}
		// Merge of the deliveries alone, in any order, is the log.
		var flat []Session
		for _, b := range deliveries(rng, log) {
			flat = append(flat, b...)
		}
		if !reflect.DeepEqual(Merge(flat), want) {
			t.Fatalf("seed %d: Merge of a replay differs from the log", seed)
		}
	}
}
