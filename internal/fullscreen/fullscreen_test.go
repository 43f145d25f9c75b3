package fullscreen

import (
	"context"
	"errors"
	"testing"
)

func TestHasAtom(t *testing.T) {
	le := func(vs ...uint32) []byte {
		var b []byte
		for _, v := range vs {
			b = append(b, byte(v), byte(v>>8), byte(v>>16), byte(v>>24))
		}
		return b
	}
	for _, c := range []struct {
		value []byte
		atom  uint32
		want  bool
	}{
		{nil, 300, false},
		{le(301, 302), 300, false},
		{le(301, 300), 300, true},
		{le(300), 300, true},
		{le(0x12345678), 0x12345678, true},
		{le(301)[:3], 301, false}, // truncated: no whole value
	} {
		if got := hasAtom(c.value, c.atom); got != c.want {
			t.Errorf("hasAtom(%v, %d) = %v", c.value, c.atom, got)
		}
	}
	if firstUint32(le(7, 8)) != 7 || firstUint32(nil) != 0 {
		t.Error("firstUint32")
	}
}

func TestWatchWithoutDisplay(t *testing.T) {
	t.Setenv("DISPLAY", "")
	err := Watch(context.Background(), func(bool) {})
	if !errors.Is(err, ErrNoDisplay) {
		t.Fatalf("err = %v", err)
	}
}
