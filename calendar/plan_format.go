package calendar

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
)

// The formats WritePlan writes, as `lull plan --format` names them.
const (
	FormatText = "text"
	FormatTSV  = "tsv"
	FormatJSON = "json"
)

// WritePlan writes blocks for `lull plan --format text|tsv|json`, with
// times in loc (nil means UTC), and notes saying why working days got no
// focus (ExplainDays; nil for none):
//
//   - text: for people; one heading per day, then "09:00–11:00  2 h
//     proposed  lull-20261124T0800Z  reason" in aligned columns (the ID is
//     what `lull plan accept ID` takes), or "no focus: all-day 'Team
//     offsite'" for a day with a note; a total of the proposed and accepted
//     time.
//   - tsv: a header line, then start, end (RFC 3339), state, id, reason
//     (blocks only).
//   - json: an object with "blocks" (id, start, end, state, reason) and
//     "days" (date, reason).
func WritePlan(w io.Writer, blocks []Block, notes []DayNote, format string, loc *time.Location) error {
	if loc == nil {
		loc = time.UTC
	}
	var err error
	switch format {
	case FormatText:
		err = writePlanText(w, blocks, notes, loc)
	case FormatTSV:
		err = writePlanTSV(w, blocks, loc)
	case FormatJSON:
		err = writePlanJSON(w, blocks, notes, loc)
	default:
		return fmt.Errorf("%w: %q", ErrUnknownFormat, format)
	}
	if err != nil {
		return fmt.Errorf("write plan as %s: %w", format, err)
	}
	return nil
}

func writePlanText(w io.Writer, blocks []Block, notes []DayNote, loc *time.Location) error {
	var sb strings.Builder
	if len(blocks) == 0 && len(notes) == 0 {
		sb.WriteString("No focus blocks planned.\n")
		_, err := io.WriteString(w, sb.String())
		return err
	}
	// Column widths over all days, so the columns line up under each other.
	lenW, stateW, idW := 0, 0, 0
	for _, b := range blocks {
		lenW = max(lenW, len(DurationText(b.Duration())))
		stateW = max(stateW, len(b.State))
		idW = max(idW, len(oneLine(b.ID)))
	}
	lastDay := ""
	heading := func(t time.Time) {
		if day := t.Format("Mon 2 Jan 2006"); day != lastDay {
			if lastDay != "" {
				sb.WriteString("\n")
			}
			sb.WriteString(day + "\n")
			lastDay = day
		}
	}
	var total time.Duration
	n, next := 0, 0
	for _, b := range blocks {
		s, e := b.Start.In(loc), b.End.In(loc)
		for ; next < len(notes) && notes[next].Date.Before(s); next++ {
			heading(notes[next].Date.In(loc))
			sb.WriteString("  no focus: " + oneLine(notes[next].Reason) + "\n")
		}
		heading(s)
		end := e.Format("15:04")
		if e.YearDay() != s.YearDay() || e.Year() != s.Year() {
			end = e.Format("Mon 15:04")
		}
		line := fmt.Sprintf("  %s–%s  %-*s  %-*s  %-*s  %s", s.Format("15:04"), end, lenW, DurationText(b.Duration()),
			stateW, b.State, idW, oneLine(b.ID), oneLine(b.Reason))
		sb.WriteString(strings.TrimRight(line, " ") + "\n")
		if b.State != StateSkipped {
			total += b.Duration()
			n++
		}
	}
	for ; next < len(notes); next++ {
		heading(notes[next].Date.In(loc))
		sb.WriteString("  no focus: " + oneLine(notes[next].Reason) + "\n")
	}
	blockWord := "blocks"
	if n == 1 {
		blockWord = "block"
	}
	if n == 0 {
		sb.WriteString("\nNo focus blocks planned.\n")
	} else {
		fmt.Fprintf(&sb, "\nTotal: %s in %d %s (skipped not counted)\n", DurationText(total), n, blockWord)
	}
	_, err := io.WriteString(w, sb.String())
	return err
}

func writePlanTSV(w io.Writer, blocks []Block, loc *time.Location) error {
	var sb strings.Builder
	sb.WriteString("start\tend\tstate\tid\treason\n")
	for _, b := range blocks {
		fmt.Fprintf(&sb, "%s\t%s\t%s\t%s\t%s\n", b.Start.In(loc).Format(time.RFC3339), b.End.In(loc).Format(time.RFC3339),
			b.State, oneLine(b.ID), oneLine(b.Reason))
	}
	_, err := io.WriteString(w, sb.String())
	return err
}

func writePlanJSON(w io.Writer, blocks []Block, notes []DayNote, loc *time.Location) error {
	out := struct {
		Blocks []Block   `json:"blocks"`
		Days   []DayNote `json:"days"`
	}{make([]Block, len(blocks)), make([]DayNote, len(notes))}
	for i, b := range blocks {
		b.Start, b.End = b.Start.In(loc), b.End.In(loc)
		out.Blocks[i] = b
	}
	for i, n := range notes {
		n.Date = n.Date.In(loc)
		out.Days[i] = n
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
