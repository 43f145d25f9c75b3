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
