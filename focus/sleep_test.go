package focus

import (
	"testing"
	"time"

	"github.com/lullapp/lull/internal/clock"
)

func TestSlept(t *testing.T) {
	hb := time.Minute
	wall := time.Date(2026, 11, 17, 9, 0, 0, 0, time.UTC) // no monotonic reading
	real := time.Now()                                    // with one
	tests := []struct {
		name      string
		last, now time.Time
		want      bool
	}{
		{"log times, on time", wall, wall.Add(hb), false},
		{"log times, two beats late", wall, wall.Add(2 * hb), false},
		{"log times, 8 h gap", wall, wall.Add(8 * time.Hour), true},
		{"real clock, on time", real, real.Add(hb), false},
		// A starved process: wall and monotonic time moved together.
		{"real clock, 10 beats late but awake", real, real.Add(10 * hb), false},
		// One side lost its monotonic reading: the gap decides.
		{"mixed, 8 h gap", real.Round(0), real.Add(8 * time.Hour), true},
		{"mixed, on time", real, real.Round(0).Add(hb), false},
	}
	for _, tt := range tests {
		if got := slept(tt.last, tt.now, hb); got != tt.want {
			t.Errorf("%s: slept = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestStarvedHeartbeatIsNotSleep: on the real clock, heartbeats held up for
// many periods (a loaded machine, a long GC, a debugger) while the computer
// stayed awake do not end the session as suspended.
func TestStarvedHeartbeatIsNotSleep(t *testing.T) {
	cfg := DefaultConfig(time.UTC)
	cfg.Heartbeat = 20 * time.Millisecond
	cfg.OnError = func(err error) { t.Errorf("background error: %v", err) }
	e, err := Open(mustOpenDB(t, true), clock.Real{}, cfg, Deps{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if _, err := e.Start(time.Hour); err != nil {
		t.Fatal(err)
	}
	e.mu.Lock() // the heartbeat timer fires and waits here
	time.Sleep(10 * cfg.Heartbeat)
	e.mu.Unlock()
	time.Sleep(3 * cfg.Heartbeat)
	if st := e.State(); !st.Focusing {
		t.Fatalf("after a starved heartbeat: %+v, want still focusing", st)
	}
}
