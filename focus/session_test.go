package focus

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/lullapp/lull/internal/store"
)

func TestSessionEncodeRoundTrip(t *testing.T) {
	start := time.Date(2026, 11, 17, 9, 0, 0, 123, time.UTC)
	long := strings.Repeat("é", 60) // 120 bytes: cut to 80 at a rune boundary
	tests := []Session{
		{Kind: Manual, Start: start, LastAlive: start, Outcome: Running},
		{Kind: Scheduled, Start: start, PlannedEnd: start.Add(2 * time.Hour), End: start.Add(90 * time.Minute),
			LastAlive: start.Add(90 * time.Minute), BlockID: "lull-block-20261117-0900", Outcome: StoppedEarly,
			Interruptions: []Interruption{{ID: "n1", Source: "pager", Title: long, At: start.Add(10 * time.Minute)}}},
		{Kind: Manual, Start: start, End: start.Add(time.Minute), LastAlive: start.Add(time.Minute), Outcome: Crashed},
	}
	for i, s := range tests {
		k := store.TimeKey(start, uint64(i+1))
		s.ID = keyID(k)
		got, err := decodeSession(k, s.encode())
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		want := s
		if !reflect.DeepEqual(got, want) {
			t.Errorf("case %d: round trip\n got %+v\nwant %+v", i, got, want)
		}
	}
	if got := truncate(long, MaxTitleBytes); len(got) != 80 || !strings.HasPrefix(long, got) {
		t.Errorf("truncate = %d bytes", len(got))
	}
}

func TestDecodeCorrupt(t *testing.T) {
	k := store.TimeKey(time.Unix(0, 0), 1)
	for _, v := range [][]byte{nil, {9, 1, 0}, {1, 7, 0}, {1, 1, 0, 0x80}, {1, 1, 0, 0, 0, 0, 50, 'x'}} {
		if _, err := decodeSession(k, v); !errors.Is(err, ErrCorruptRecord) {
			t.Errorf("decode %v: %v, want ErrCorruptRecord", v, err)
		}
	}
}

func FuzzDecodeSession(f *testing.F) {
	start := time.Date(2026, 11, 17, 9, 0, 0, 0, time.UTC)
	s := Session{Kind: Scheduled, Start: start, PlannedEnd: start.Add(time.Hour), LastAlive: start, BlockID: "b",
		Interruptions: []Interruption{{ID: "1", Source: "s", Title: "t", At: start}}}
	f.Add(s.encode())
	f.Fuzz(func(t *testing.T, v []byte) {
		got, err := decodeSession(store.TimeKey(start, 1), v)
		if err != nil {
			if !errors.Is(err, ErrCorruptRecord) {
				t.Fatalf("error %v does not wrap ErrCorruptRecord", err)
			}
			return
		}
		// Whatever decodes re-encodes to something that decodes the same.
		again, err := decodeSession(store.TimeKey(start, 1), got.encode())
		if err != nil || !reflect.DeepEqual(again, got) {
			t.Fatalf("re-decode: %v\n%+v\n%+v", err, again, got)
		}
	})
}

// TestJSONRoundTrip: State and Session travel over the local API as JSON.
func TestJSONRoundTrip(t *testing.T) {
	start := time.Date(2026, 11, 17, 9, 0, 0, 0, time.UTC)
	for _, st := range []State{
		{},
		{Focusing: true, SessionID: "abc", Kind: Scheduled, Start: start, PlannedEnd: start.Add(time.Hour), BlockID: "B", Outcome: Running},
		{SessionID: "abc", Kind: Manual, Start: start, Outcome: StoppedEarly},
	} {
		b, err := json.Marshal(st)
		if err != nil {
			t.Fatal(err)
		}
		var got State
		if err := json.Unmarshal(b, &got); err != nil || got != st {
			t.Errorf("State %s round trip = %+v, %v", b, got, err)
		}
	}
	s := Session{ID: "x", Kind: Manual, Start: start, End: start.Add(time.Hour), LastAlive: start.Add(time.Hour), Outcome: Crashed,
		Interruptions: []Interruption{{ID: "n", Source: "s", Title: "t", At: start}}}
	b, _ := json.Marshal(s)
	var got Session
	if err := json.Unmarshal(b, &got); err != nil || !reflect.DeepEqual(got, s) {
		t.Errorf("Session %s round trip = %+v, %v", b, got, err)
	}
	var k Kind
	if err := k.UnmarshalText([]byte("bogus")); err == nil {
		t.Error("Kind accepted bogus")
	}
}
