package ics

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// endless is an io.Reader that never ends (like /dev/zero or an endless
// download) and counts what it gave.
type endless struct{ n int64 }

func (e *endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'x'
	}
	e.n += int64(len(p))
	return len(p), nil
}

// TestReadLimited: data up to the limit is read whole; one byte more is
// ErrTooLarge naming the limit; an endless reader stops just past it.
func TestReadLimited(t *testing.T) {
	for _, c := range []struct {
		size, limit int64
		tooLarge    bool
	}{
		{0, 10, false},
		{10, 10, false},
		{11, 10, true},
		{3 * readChunk, 3 * readChunk, false},
		{3*readChunk + 1, 3 * readChunk, true},
		{readChunk - 1, 0, false}, // 0: MaxInputBytes
	} {
		data := bytes.Repeat([]byte("a"), int(c.size))
		// iotest-like: a reader without a size, like a pipe or socket.
		got, err := ReadLimited(io.MultiReader(bytes.NewReader(data)), c.limit)
		if c.tooLarge {
			if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), SizeText(c.limit)) {
				t.Errorf("size %d limit %d: err = %v, want ErrTooLarge naming the limit", c.size, c.limit, err)
			}
			continue
		}
		if err != nil || !bytes.Equal(got, data) {
			t.Errorf("size %d limit %d: %d bytes, err %v", c.size, c.limit, len(got), err)
		}
	}
	e := &endless{}
	if _, err := ReadLimited(e, 5000); !errors.Is(err, ErrTooLarge) || e.n > 5001+readChunk {
		t.Errorf("endless reader: err %v after %d bytes", err, e.n)
	}
}

// TestReadFileLimit: a regular file over the limit fails before it is read;
// a device without a size (/dev/zero) fails once past the limit, holding
// little more than the limit in memory; errors name the path.
func TestReadFileLimit(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.ics")
	if err := os.WriteFile(big, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(big, MaxInputBytes+1); err != nil { // sparse: costs no disk
		t.Fatal(err)
	}
	if _, err := ReadFile(big); !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), big) || !strings.Contains(err.Error(), "20 MB") {
		t.Errorf("big file: %v", err)
	}
	if _, err := ReadFile(dir); err == nil || !strings.Contains(err.Error(), "folder") {
		t.Errorf("folder: %v", err)
	}
	ok := filepath.Join(dir, "ok.ics")
	os.WriteFile(ok, []byte("BEGIN:VCALENDAR\nEND:VCALENDAR\n"), 0o600)
	if data, err := ReadFile(ok); err != nil || len(data) != 30 {
		t.Errorf("small file: %q %v", data, err)
	}
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := ReadFile("/dev/zero")
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "/dev/zero") {
		t.Fatalf("/dev/zero: %v", err)
	}
	// Chunks up to the limit plus one; growing one buffer would allocate
	// about three times the limit.
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > MaxInputBytes+2*readChunk {
		t.Errorf("reading /dev/zero allocated %s, want about %s", SizeText(int64(alloc)), SizeText(MaxInputBytes))
	}
}

// TestExpandFileLimit: `lull calendar expand` refuses an input over the
// limit instead of reading it all.
func TestExpandFileLimit(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	_, err := ExpandFile("/dev/zero", mustTime(t, "2024-01-01T00:00:00Z"), mustTime(t, "2024-02-01T00:00:00Z"), nil, io.Discard)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
}
