package main

import (
	"bytes"
	"encoding/binary"
	"github.com/lullapp/lull/internal/fake"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zalando/go-keyring"

	"github.com/lullapp/lull/app/service"
	"github.com/lullapp/lull/internal/store"
	"github.com/lullapp/lull/notify"
)

// damagedData writes a data directory whose lull.db is damaged as kind
// says, and returns the database's path and bytes.
func damagedData(t *testing.T, dir, kind string) (string, []byte) {
	t.Helper()
	d, err := service.OpenData(service.DataOptions{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	d.Close()
	path := filepath.Join(dir, store.FileName)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ps := int(binary.NativeEndian.Uint32(data[16+8:]))
	root := int(binary.NativeEndian.Uint64(data[16+16:]))
	switch kind {
	case "truncated at half":
		data = data[:len(data)/2]
	case "flipped page type":
		data[root*ps+8] = 0x20 // the root page no longer says branch or leaf
	case "zeroed meta pages":
		clear(data[:2*ps])
	case "random garbage":
		for i := range data {
			data[i] = byte(i*7919 + i>>3)
		}
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path, data
}

// TestDamagedDatabaseCLI: with a damaged lull.db, commands that open it
// exit 1 with the file, what is wrong and what to do, never a panic or a
// stack trace, and leave the file as it was; the app's start fails the
// same way; `lull --start-fresh` keeps it aside and starts with empty
// data.
func TestDamagedDatabaseCLI(t *testing.T) {
	keyring.MockInit()
	for _, kind := range []string{"truncated at half", "flipped page type", "zeroed meta pages", "random garbage"} {
		t.Run(kind, func(t *testing.T) {
			dir := t.TempDir()
			path, data := damagedData(t, dir, kind)
			for _, args := range [][]string{{"status"}, {"digest", "list"}, {"report"}, {"calendar", "list"}} {
				r := runLull(t, dir, "", args...)
				if r.code != exitFailure {
					t.Errorf("lull %v: exit %d, want %d\n%s", args, r.code, exitFailure, r.stderr)
				}
				for _, want := range []string{path, "is damaged", "Restore it from a backup", "lull --start-fresh"} {
					if !strings.Contains(r.stderr, want) {
						t.Errorf("lull %v: stderr %q lacks %q", args, r.stderr, want)
					}
				}
				for _, crash := range []string{"panic", "goroutine", "fatal error", "SIGSEGV"} {
					if strings.Contains(r.stderr+r.stdout, crash) {
						t.Errorf("lull %v: output reads like a crash: %s", args, r.stderr)
					}
				}
			}
			// The app's start (what `lull` and `lull --hidden` run) fails
			// with the same error.
			_, err := service.Start(t.Context(), service.Options{DataOptions: service.DataOptions{Dir: dir},
				TokenKeyring: &fake.Keyring{}, SyncInterval: -1, NoAPI: true})
			if !strings.Contains(errString(err), "is damaged") {
				t.Errorf("service start: %v", err)
			}
			if after, _ := os.ReadFile(path); !bytes.Equal(after, data) {
				t.Fatal("the damaged file was changed")
			}
			journal := path + notify.JournalSuffix
			os.WriteFile(journal, []byte("journal"), 0o600)
			r := runLull(t, dir, "", "--start-fresh")
			if r.code != exitOK || r.residentCalls != 1 || !strings.Contains(r.stdout, "Kept the damaged data as") {
				t.Fatalf("--start-fresh: exit %d, resident %d\n%s%s", r.code, r.residentCalls, r.stdout, r.stderr)
			}
			kept, _ := filepath.Glob(path + store.DamagedSuffix + "*")
			if len(kept) != 2 {
				t.Fatalf("kept %v, want the database and its journal", kept)
			}
			for _, k := range kept {
				b, _ := os.ReadFile(k)
				if strings.HasSuffix(k, notify.JournalSuffix) && string(b) != "journal" || !strings.HasSuffix(k, notify.JournalSuffix) && !bytes.Equal(b, data) {
					t.Errorf("%s does not hold what was moved", k)
				}
			}
			if r := runLull(t, dir, "", "status"); r.code != exitOK {
				t.Fatalf("status after --start-fresh: %d %s", r.code, r.stderr)
			}
			if r := runLull(t, dir, "", "--start-fresh"); r.code != exitUsage || !strings.Contains(r.stderr, "not damaged") || r.residentCalls != 0 {
				t.Fatalf("--start-fresh on a sound database: exit %d, resident %d, %s", r.code, r.residentCalls, r.stderr)
			}
		})
	}
}

// TestPlainLullOnDamagedData: a plain `lull` starts Lull in the
// background, which stops on damaged data with its message in lull.log;
// the command says what is wrong and what to do itself, exit 1.
func TestPlainLullOnDamagedData(t *testing.T) {
	keyring.MockInit()
	dir := t.TempDir()
	path, _ := damagedData(t, dir, "flipped page type")
	stopped := func(string, env) (<-chan error, error) {
		ch := make(chan error, 1)
		ch <- errExitStatus1 // what the real resident does on this data
		return ch, nil
	}
	r := runLullWith(t, dir, "", stopped)
	if r.code != exitFailure {
		t.Fatalf("exit %d, want %d\n%s", r.code, exitFailure, r.stderr)
	}
	for _, want := range []string{path, "is damaged", "Restore it from a backup", "lull --start-fresh"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr %q lacks %q", r.stderr, want)
		}
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// TestDamagedJournalCLI: a damaged notification journal does not stop a
// command; it is reported on stderr, with its position, once.
func TestDamagedJournalCLI(t *testing.T) {
	keyring.MockInit()
	dir := t.TempDir()
	d, err := service.OpenData(service.DataOptions{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Queue.Add([]notify.Item{{Notification: notify.Notification{Source: "ci", Title: "red"},
		Decision: notify.Decision{Action: notify.ActionHold, Reason: "test"}}}); err != nil {
		t.Fatal(err)
	}
	d.Close()
	journal := filepath.Join(dir, store.FileName) + notify.JournalSuffix
	data, err := os.ReadFile(journal)
	if err != nil {
		t.Fatal(err)
	}
	data[30] ^= 0x08 // inside the first entry
	if err := os.WriteFile(journal, data, 0o600); err != nil {
		t.Fatal(err)
	}
	r := runLull(t, dir, "", "status")
	if r.code != exitOK || !strings.Contains(r.stdout, "Lull is not running") {
		t.Fatalf("status: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{journal, "byte 0", "damaged-"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr %q lacks %q", r.stderr, want)
		}
	}
	if r := runLull(t, dir, "", "status"); r.stderr != "" {
		t.Errorf("reported again: %s", r.stderr)
	}
}
