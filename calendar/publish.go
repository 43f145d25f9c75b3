package calendar

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/lullapp/lull/internal/atomicfile"
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

// ErrBadExportPath means a file Lull was asked to write the focus blocks
// to is not one it may write: not a full path, not a .ics file, or an
// existing file Lull did not write.
var ErrBadExportPath = errors.New("export file")

// exampleExportPath is the example the export path errors give.
const exampleExportPath = "/home/me/Calendars/focus.ics"

// CheckExportPath says whether path may take the focus-block calendar
// export (the export_ics setting, `lull plan --export`): it must be a full
// path ending in .ics, and a file already there must be a regular file
// holding a calendar Lull wrote (its PRODID and nothing but Lull's own
// blocks), because Lull never replaces a file it did not write. The
// settings check it when the path is set, and ExportBlocksICS again before
// every write, since the file may have changed in between.
func CheckExportPath(path string) error {
	if err := CheckExportName(path); err != nil {
		return err
	}
	bad := func(format string, args ...any) error { return exportPathErr(path, format, args...) }
	info, err := os.Lstat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil
	case err != nil:
		return bad("cannot be checked: %v", err)
	case info.IsDir():
		return bad("is a folder: give the path of a .ics file inside it, e.g. %s", filepath.Join(path, "focus.ics"))
	case !info.Mode().IsRegular():
		return bad("is not a plain file (a link or a device); Lull only replaces calendar files it wrote itself: choose a new file name")
	case info.Size() > maxExportCheckBytes:
		return bad("already exists and is not a calendar Lull wrote; Lull never replaces it: choose a new file name or remove that file first")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return bad("cannot be read to check it is Lull's: %v", err)
	}
	if !isLullExport(data) {
		return bad("already exists and is not a calendar Lull wrote; Lull never replaces it: choose a new file name or remove that file first")
	}
	return nil
}

// CheckExportName is the part of CheckExportPath that needs no disk: path
// is a full path ending in .ics. Settings check it on every save.
func CheckExportName(path string) error {
	switch {
	case strings.TrimSpace(path) == "":
		return exportPathErr(path, "no file given: give the full path of a .ics file, e.g. %s", exampleExportPath)
	case !filepath.IsAbs(path):
		return exportPathErr(path, "not a full path: give the whole path of a .ics file, e.g. %s", exampleExportPath)
	case !strings.EqualFold(filepath.Ext(path), ".ics"):
		return exportPathErr(path, "not a .ics file: choose a name ending in .ics, e.g. %s", exampleExportPath)
	}
	return nil
}

func exportPathErr(path, format string, args ...any) error {
	return fmt.Errorf("%w %q: %s", ErrBadExportPath, path, fmt.Sprintf(format, args...))
}

// maxExportCheckBytes is the largest existing file CheckExportPath reads to
// see whether it is Lull's: an export holds the accepted blocks of about ten
// weeks, a few kilobytes; anything as big as a source calendar is not one.
const maxExportCheckBytes = DefaultMaxSourceBytes

// isLullExport reports whether data is a calendar WriteBlocksICS wrote:
// Lull's PRODID at the calendar level and no component but Lull's blocks.
func isLullExport(data []byte) bool {
	if checkICalendar(data, "", fromFile) != nil {
		return false
	}
	parts := icsSplit(data)
	prodID := false
	for _, p := range parts {
		if p.comp == "" {
			line := strings.TrimSpace(string(p.raw))
			prodID = prodID || strings.EqualFold(line, "PRODID:"+lullProdID)
			continue
		}
		if !isLullBlock(p) {
			return false
		}
	}
	return prodID
}

// ExportBlocksICS writes blocks to path as WriteBlocksICS does, after
// CheckExportPath allowed it: atomically (a reader never sees half a
// calendar) and with mode 0600, also when it replaces an older export. It
// backs the export_ics setting and `lull plan --export`.
func ExportBlocksICS(path string, blocks []Block, now time.Time) error {
	if err := CheckExportPath(path); err != nil {
		return err
	}
	if dir := filepath.Dir(path); !isDir(dir) {
		return exportPathErr(path, "the folder %s does not exist", dir)
	}
	var b bytes.Buffer
	if err := WriteBlocksICS(&b, blocks, now); err != nil {
		return fmt.Errorf("export focus blocks to %s: %w", path, err)
	}
	if err := atomicfile.Write(path, b.Bytes(), 0o600); err != nil {
		return fmt.Errorf("export focus blocks: %w", err)
	}
	return nil
}

func isDir(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.IsDir()
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
