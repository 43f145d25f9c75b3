package clock

import (
	"testing"
	"time"
)

func TestFakeFiresInOrderWithDueTime(t *testing.T) {
	start := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	c := NewFake(start)
	var got []string
	var at []time.Time
	c.AfterFunc(2*time.Hour, func() { got = append(got, "b"); at = append(at, c.Now()) })
	c.AfterFunc(time.Hour, func() {
		got = append(got, "a")
		at = append(at, c.Now())
		// A timer scheduled from a callback fires in the same Advance when due.
		c.AfterFunc(30*time.Minute, func() { got = append(got, "a2"); at = append(at, c.Now()) })
	})
	stopped := c.AfterFunc(90*time.Minute, func() { got = append(got, "never") })
	if !stopped.Stop() {
		t.Fatal("Stop on a pending timer returned false")
	}
	if stopped.Stop() {
		t.Fatal("second Stop returned true")
	}
	c.Advance(3 * time.Hour)
	want := []string{"a", "a2", "b"}
	wantAt := []time.Duration{time.Hour, 90 * time.Minute, 2 * time.Hour}
	if len(got) != len(want) {
		t.Fatalf("fired %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] || !at[i].Equal(start.Add(wantAt[i])) {
			t.Errorf("fire %d = %s at %v, want %s at %v", i, got[i], at[i], want[i], start.Add(wantAt[i]))
		}
	}
	if !c.Now().Equal(start.Add(3 * time.Hour)) {
		t.Errorf("Now = %v after Advance", c.Now())
	}
	if c.Pending() != 0 {
		t.Errorf("Pending = %d", c.Pending())
	}
}

func TestFakeDoesNotFireEarly(t *testing.T) {
	c := NewFake(time.Unix(0, 0))
	fired := false
	c.AfterFunc(time.Minute, func() { fired = true })
	c.Advance(59 * time.Second)
	if fired {
		t.Fatal("fired before due")
	}
	c.Advance(time.Second)
	if !fired {
		t.Fatal("not fired when due")
	}
}

func TestRealAfterFunc(t *testing.T) {
	done := make(chan struct{})
	Real{}.AfterFunc(time.Millisecond, func() { close(done) })
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("real timer never fired")
	}
}

func TestScaled(t *testing.T) {
	start := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	c, err := ParseScaled("2026-11-30T09:00:00Z,600")
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Now(); got.Before(start) || got.After(start.Add(time.Minute)) {
		t.Fatalf("Now() = %s, want just after %s", got, start)
	}
	fired := make(chan time.Time, 1)
	wall := time.Now()
	c.AfterFunc(time.Minute, func() { fired <- c.Now() })
	select {
	case at := <-fired:
		if at.Sub(start) < time.Minute {
			t.Fatalf("fired at clock %s, before a clock minute passed", at)
		}
		if time.Since(wall) > 5*time.Second {
			t.Fatalf("a clock minute at 600× took %s of wall time", time.Since(wall))
		}
	case <-time.After(10 * time.Second):
		t.Fatal("timer did not fire")
	}
	for _, bad := range []string{"", "yesterday", "2026-11-30T09:00:00Z,fast", "2026-11-30T09:00:00Z,-2"} {
		if _, err := ParseScaled(bad); err == nil {
			t.Errorf("ParseScaled(%q): no error", bad)
		}
	}
}
