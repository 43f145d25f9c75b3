package atomicfile

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
)

func TestWriteModes(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Unix file modes")
	}
	for _, tc := range []struct {
		name     string
		existing os.FileMode // 0: no file before
		mode     os.FileMode
		want     os.FileMode
	}{
		{"new file, default mode", 0, 0, 0o600},
		{"new file, requested mode", 0, 0o644, 0o644},
		{"replaces a 0644 file with the default", 0o644, 0, 0o600},
		{"replaces a 0600 file keeping the requested 0600", 0o600, 0o600, 0o600},
		{"replaces a 0600 file with a requested 0644", 0o600, 0o644, 0o644},
		{"mode bits beyond the permissions are ignored", 0, os.ModeSetuid | 0o640, 0o640},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "f.txt")
			if tc.existing != 0 {
				if err := os.WriteFile(path, []byte("old"), tc.existing); err != nil {
					t.Fatal(err)
				}
				os.Chmod(path, tc.existing)
			}
			if err := Write(path, []byte("new"), tc.mode); err != nil {
				t.Fatal(err)
			}
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if got := fi.Mode(); got != tc.want {
				t.Errorf("mode = %v, want %v", got, tc.want)
			}
			if b, _ := os.ReadFile(path); string(b) != "new" {
				t.Errorf("content = %q", b)
			}
		})
	}
}

// TestFailedWriteChangesNothing: a writer that fails half-way leaves the old
// file as it was and no temporary file in the directory.
func TestFailedWriteChangesNothing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "cal.ics")
	if err := os.WriteFile(path, []byte("the old, complete content"), 0o600); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("disk full")
	err := WriteFunc(path, 0, func(w io.Writer) error {
		w.Write([]byte("half of the new"))
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want the writer's error", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "the old, complete content" {
		t.Errorf("after a failed write the file holds %q", b)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("directory holds %v, want only cal.ics", names)
	}
	// A target in a missing folder fails before anything is written.
	if err := Write(filepath.Join(dir, "missing", "x"), []byte("x"), 0); err == nil {
		t.Error("writing into a missing folder succeeded")
	}
}

// TestReadersSeeWholeFiles replaces a file over and over while readers read
// it: every read sees one complete version, never a mix or a short file.
func TestReadersSeeWholeFiles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "api.json")
	versions := [][]byte{bytes.Repeat([]byte("a"), 64<<10), bytes.Repeat([]byte("b"), 64<<10)}
	if err := Write(path, versions[0], 0); err != nil {
		t.Fatal(err)
	}
	var stop atomic.Bool
	var bad atomic.Int32
	var reads atomic.Int32
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				b, err := os.ReadFile(path)
				if err != nil || !(bytes.Equal(b, versions[0]) || bytes.Equal(b, versions[1])) {
					bad.Add(1)
				}
				reads.Add(1)
			}
		}()
	}
	for i := range 60 {
		if err := Write(path, versions[i%2], 0); err != nil {
			t.Fatal(err)
		}
	}
	stop.Store(true)
	wg.Wait()
	if bad.Load() > 0 {
		t.Fatalf("%d of %d reads saw a partial or missing file", bad.Load(), reads.Load())
	}
}
