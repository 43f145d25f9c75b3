package devsync

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// Scale of the benchmark: the "5 devices, 5 years" with a working
// pattern of three sessions a working day on each device.
const (
	benchDevices        = 5
	benchYears          = 5
	benchSessionsPerDay = 3
)

// seedLog writes benchDevices × benchYears of session events straight
// into Radicale's storage for the "Lull focus log" collection (uploading
// tens of thousands of objects one PUT at a time would take longer than
// the sync being measured) and returns how many and how many bytes.
func seedLog(b *testing.B, r *radicale, end time.Time) (int, int64) {
	b.Helper()
	dir := filepath.Join(r.root, davUser, logSlug)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	props := `{"tag": "VCALENDAR", "D:displayname": "` + LogCalendarName + `"}`
	if err := os.WriteFile(filepath.Join(dir, ".Radicale.props"), []byte(props), 0o644); err != nil {
		b.Fatal(err)
	}
	n, size := 0, int64(0)
	start := end.AddDate(-benchYears, 0, 0)
	for d := 0; d < benchDevices; d++ {
		dev := fmt.Sprintf("bench%02d", d)
		for day := start; day.Before(end); day = day.AddDate(0, 0, 1) {
			if wd := day.Weekday(); wd == time.Saturday || wd == time.Sunday {
				continue
			}
			for i := 0; i < benchSessionsPerDay; i++ {
				at := day.Add(time.Duration(8+2*i+d%2) * time.Hour)
				s := Session{UID: SessionUID(dev, fmt.Sprintf("%d-%d", day.Unix(), i)), Device: dev, DeviceName: "device " + dev,
					Start: at, End: at.Add(50 * time.Minute), Interruptions: i}
				body := sessionObject(s, s.End)
				if err := os.WriteFile(filepath.Join(dir, s.UID+".ics"), body, 0o644); err != nil {
					b.Fatal(err)
				}
				n++
				size += int64(len(body))
			}
		}
	}
	return n, size
}

// BenchmarkSyncFiveYearsOnRadicale measures one sync of a device that
// joins a log of 5 devices × 5 years on a real Radicale: its first sync
// reads the whole history (time-range queries of QueryChunk), and a
// routine sync after it reads only the last ReadOverlap; a quiet poll after
// that (nothing new) reads only the log calendar's tag. Run with
// -benchtime=1x: each iteration needs a fresh device.
func BenchmarkSyncFiveYearsOnRadicale(b *testing.B) {
	r := startRadicale(b)
	end := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	n, size := seedLog(b, r, end)
	b.Logf("log: %d sessions, %.1f MB of events", n, float64(size)/1e6)
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		d := newDevice(b, r, fmt.Sprintf("new-%d", i), end, false)
		// Radicale builds its item cache on the first query: warm it
		// outside the timing so the figure is the sync's, not a cold
		// server's.
		if i == 0 {
			if _, err := d.sync(b, nil, false, time.Time{}); err != nil {
				b.Fatal(err)
			}
			d = newDevice(b, r, fmt.Sprintf("new-%d-b", i), end, false)
		}
		b.StartTimer()
		t0 := time.Now()
		res, err := d.sync(b, nil, false, time.Time{})
		first := time.Since(t0)
		if err != nil {
			b.Fatal(err)
		}
		if res.Read != n {
			b.Fatalf("first sync read %d sessions, want %d", res.Read, n)
		}
		d.clk.Advance(time.Minute)
		t1 := time.Now()
		res2, err := d.sync(b, []Session{d.session(end.Add(-2*time.Hour), time.Hour, 0)}, false, time.Time{})
		routine := time.Since(t1)
		if err != nil {
			b.Fatal(err)
		}
		// A quiet poll: nothing to write, nothing new on the server.
		d.clk.Advance(Period)
		t2 := time.Now()
		res3, err := d.sync(b, nil, false, time.Time{})
		quiet := time.Since(t2)
		if err != nil {
			b.Fatal(err)
		}
		if res3.Written != 0 || res3.Read != 0 {
			b.Fatalf("quiet poll wrote %d and read %d, want none", res3.Written, res3.Read)
		}
		b.ReportMetric(first.Seconds(), "first-sync-s")
		b.ReportMetric(float64(res.Requests), "first-sync-requests")
		b.ReportMetric(routine.Seconds()*1000, "routine-sync-ms")
		b.ReportMetric(float64(res2.Requests), "routine-sync-requests")
		b.ReportMetric(quiet.Seconds()*1000, "quiet-poll-ms")
		b.ReportMetric(float64(res3.Requests), "quiet-poll-requests")
	}
}
