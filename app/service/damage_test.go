package service

import (
	"context"
	"github.com/lullapp/lull/internal/fake"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lullapp/lull/internal/clock"
	"github.com/lullapp/lull/internal/store"
	"github.com/lullapp/lull/notify"
)

// TestDamagedJournalReportedAtStart: a notification journal damaged while
// Lull was not running is reported once, at the next start: in the log,
// as an OS notification (the window may be hidden) and in the status;
// the start after that is quiet.
func TestDamagedJournalReportedAtStart(t *testing.T) {
	clk := clock.NewFake(monday)
	dir := t.TempDir()
	d, err := OpenData(DataOptions{Dir: dir, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Queue.Add([]notify.Item{{Notification: notify.Notification{Source: "ci", Title: "red", ReceivedAt: monday},
		Decision: notify.Decision{Action: notify.ActionHold, Reason: "test"}}}); err != nil {
		t.Fatal(err)
	}
	d.Close()
	journal := filepath.Join(dir, store.FileName) + "-notify-journal"
	data, err := os.ReadFile(journal)
	if err != nil {
		t.Fatal(err)
	}
	data[30] ^= 0x10 // inside the first record
	if err := os.WriteFile(journal, data, 0o600); err != nil {
		t.Fatal(err)
	}
	for round := range 2 {
		rec := &recorder{}
		var logged []string
		svc, err := Start(context.Background(), Options{
			DataOptions: DataOptions{Dir: dir, Clock: clk}, Version: "test", Sender: rec,
			TokenKeyring: &fake.Keyring{}, NoAPI: true, SyncInterval: -1,
			Logf: func(f string, a ...any) { logged = append(logged, f) },
		})
		if err != nil {
			t.Fatal(err)
		}
		st := svc.Status()
		svc.Close()
		if round == 1 {
			if len(rec.Sent()) != 0 || len(st.Problems) != 0 {
				t.Fatalf("second start: sent %+v, problems %q", rec.Sent(), st.Problems)
			}
			continue
		}
		msgs := rec.Sent()
		if len(msgs) != 1 || !strings.Contains(msgs[0].Title, "damaged notification journal") || !strings.Contains(msgs[0].Body, "byte 0") {
			t.Fatalf("sent %+v, want one notification about the damaged journal naming byte 0", msgs)
		}
		if len(st.Problems) != 1 || !strings.Contains(st.Problems[0], journal) || !strings.Contains(st.Problems[0], ".damaged-") {
			t.Fatalf("status problems %q, want the journal and its kept copy", st.Problems)
		}
		if len(logged) == 0 {
			t.Fatal("nothing logged")
		}
	}
}
