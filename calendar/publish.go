package calendar

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/lullapp/lull/internal/clock"
)

// BlockUIDPrefix starts the UID of every event Lull publishes. Together with
// the X-LULL-BLOCK:1 property it is how Lull recognises its own events; an
// event lacking either is never modified or deleted.
const BlockUIDPrefix = "lull-block-"

// BlockSummary is the title of every published block: plain, with no
// private details.
const BlockSummary = "Focus time"

// lullProdID is the PRODID of calendars Lull writes.
const lullProdID = "-//Lull//Focus blocks//EN"

// BlockUID returns the iCalendar UID of the block with this ID:
// BlockUIDPrefix plus the ID, with bytes outside [A-Za-z0-9.-] written as
// _XX (hex), so it is also a safe file name on a CalDAV server and distinct
// IDs keep distinct UIDs. Only a block's ID and times are ever published;
// its reason and state stay private.
func BlockUID(id string) string {
	var s strings.Builder
	s.WriteString(BlockUIDPrefix)
	for i := 0; i < len(id); i++ {
		c := id[i]
		if c == '-' || c == '.' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
			s.WriteByte(c)
		} else {
			fmt.Fprintf(&s, "_%02X", c)
		}
	}
	return s.String()
}

// Publisher writes the blocks Lull owns to a calendar and removes them.
// Implementations touch only objects Lull created.
type Publisher interface {
	// Put creates or updates the block.
	Put(ctx context.Context, b Block) error
	// Remove deletes the block with this ID if Lull created it.
	Remove(ctx context.Context, id string) error
}

// WriteBlocksICS writes blocks (the caller passes the ones to publish,
// normally the accepted ones) as one valid iCalendar stream: PRODID,
// VERSION:2.0, CALSCALE, and per block UID, DTSTAMP (now), DTSTART/DTEND in
// UTC, SUMMARY "Focus time", TRANSP:OPAQUE and X-LULL-BLOCK:1. Blocks are
// written sorted by start then ID, so the output is deterministic.
func WriteBlocksICS(w io.Writer, blocks []Block, now time.Time) error {
	sorted := append([]Block(nil), blocks...)
	sort.Slice(sorted, func(i, j int) bool {
		if !sorted[i].Start.Equal(sorted[j].Start) {
			return sorted[i].Start.Before(sorted[j].Start)
		}
		return sorted[i].ID < sorted[j].ID
	})
	var b strings.Builder
	b.WriteString("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:" + lullProdID + "\r\nCALSCALE:GREGORIAN\r\n")
	for _, blk := range sorted {
		if !blk.End.After(blk.Start) {
			return fmt.Errorf("focus block %q: end %s is not after start %s", blk.ID, blk.End, blk.Start)
		}
		writeBlockEvent(&b, blk, now)
	}
	b.WriteString("END:VCALENDAR\r\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// blockObjectICS is the CalDAV object of one block (a VCALENDAR holding one
// VEVENT).
func blockObjectICS(blk Block, now time.Time) []byte {
	var b strings.Builder
	b.WriteString("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:" + lullProdID + "\r\nCALSCALE:GREGORIAN\r\n")
	writeBlockEvent(&b, blk, now)
	b.WriteString("END:VCALENDAR\r\n")
	return []byte(b.String())
}

func writeBlockEvent(b *strings.Builder, blk Block, now time.Time) {
	const utc = "20060102T150405Z"
	b.WriteString("BEGIN:VEVENT\r\n")
	b.WriteString("UID:" + BlockUID(blk.ID) + "\r\n")
	b.WriteString("DTSTAMP:" + now.UTC().Format(utc) + "\r\n")
	b.WriteString("DTSTART:" + blk.Start.UTC().Format(utc) + "\r\n")
	b.WriteString("DTEND:" + blk.End.UTC().Format(utc) + "\r\n")
	b.WriteString("SUMMARY:" + BlockSummary + "\r\n")
	b.WriteString("TRANSP:OPAQUE\r\n")
	b.WriteString("X-LULL-BLOCK:1\r\n")
	b.WriteString("END:VEVENT\r\n")
}

// ExportBlocksICS writes blocks to path as WriteBlocksICS does, atomically:
// a temporary file in the same directory, fsynced, then renamed over path,
// so a reader never sees half a calendar. It backs `lull plan --export`.
func ExportBlocksICS(path string, blocks []Block, now time.Time) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("export focus blocks to %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err = tmp.Chmod(0o644); err != nil {
		return fmt.Errorf("export focus blocks to %s: %w", path, err)
	}
	if err = WriteBlocksICS(tmp, blocks, now); err != nil {
		return fmt.Errorf("export focus blocks to %s: %w", path, err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("export focus blocks to %s: fsync: %w", path, err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("export focus blocks to %s: %w", path, err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("export focus blocks to %s: %w", path, err)
	}
	if d, derr := os.Open(dir); derr == nil {
		d.Sync() // make the rename durable; best effort on systems without dir fsync
		d.Close()
	}
	return nil
}

// FeedHandler serves the accepted focus blocks as an iCalendar feed (GET
// /v1/focus.ics on the local API) for calendar apps to subscribe to. list
// returns the blocks to publish; clk stamps DTSTAMP. The caller mounts it
// and checks the token.
func FeedHandler(list func() ([]Block, error), clk clock.Clock) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		blocks, err := list()
		if err != nil {
			http.Error(w, "focus blocks unavailable", http.StatusInternalServerError)
			return
		}
		var b strings.Builder
		if err := WriteBlocksICS(&b, blocks, clk.Now()); err != nil {
			http.Error(w, "focus blocks unavailable", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		if r.Method == http.MethodHead {
			return
		}
		io.WriteString(w, b.String())
	})
}
