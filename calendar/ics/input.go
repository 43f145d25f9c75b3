package ics

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// MaxInputBytes is the most calendar data Lull reads from any one reader:
// a file given on the command line (`calendar expand`, `calendar busy`,
// `plan --ics`), a file source, a subscription URL or a CalDAV calendar.
// Real calendars are far smaller (the biggest of the 82-file corpus is
// 130 KB; the 5-year, 20,000-event synthetic benchmark calendar is 4.8 MB),
// so 20 MB leaves four times the largest realistic size while bounding what
// a runaway or hostile input (an endless download, /dev/zero) can make Lull
// hold: the text plus about as much again once parsed.
const MaxInputBytes = 20 << 20

// ErrTooLarge means calendar data is bigger than the size limit
// (MaxInputBytes unless a caller set a smaller one).
var ErrTooLarge = errors.New("calendar is larger than the size limit")

// ReadLimited reads r to the end, failing with ErrTooLarge as soon as more
// than limit bytes arrive (limit <= 0 means MaxInputBytes), so the memory it
// takes is bounded by the limit whatever r holds.
func ReadLimited(r io.Reader, limit int64) ([]byte, error) {
	var sb strings.Builder
	if err := readLimited(&sb, r, limit, -1); err != nil {
		return nil, err
	}
	return []byte(sb.String()), nil
}

// ReadFile reads the calendar file at path within MaxInputBytes. A file
// that says it is bigger fails before anything is read; a device or pipe
// (which has no size) fails once it has given more than the limit. Errors
// are *os.PathError, naming the path; a file over the limit is ErrTooLarge.
func ReadFile(path string) ([]byte, error) {
	s, err := readFileString(path)
	if err != nil {
		return nil, err
	}
	return []byte(s), nil
}

// readFileString is ReadFile into a string, without the extra copy of a
// big calendar ([]byte to string) that parsing would otherwise need.
func readFileString(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	size := int64(-1)
	if st, err := f.Stat(); err == nil {
		if st.IsDir() {
			return "", &os.PathError{Op: "read", Path: path, Err: errors.New("is a folder, not a calendar file")}
		}
		if st.Mode().IsRegular() {
			size = st.Size()
		}
	}
	var sb strings.Builder
	if err := readLimited(&sb, f, MaxInputBytes, size); err != nil {
		return "", &os.PathError{Op: "read", Path: path, Err: err}
	}
	return sb.String(), nil
}

// readLimited copies r into sb up to limit bytes (<= 0: MaxInputBytes).
// size is the input's announced size, or -1 when unknown. Input of unknown
// size is read in chunks and joined at the end, so an input over the limit
// (an endless stream) never costs more than the limit in memory.
func readLimited(sb *strings.Builder, r io.Reader, limit, size int64) error {
	if limit <= 0 {
		limit = MaxInputBytes
	}
	if size > limit {
		return tooLarge(limit)
	}
	if size > 0 {
		sb.Grow(int(size) + 1)
		n, err := io.Copy(sb, io.LimitReader(r, limit+1))
		if err != nil {
			return err
		}
		if n > limit {
			return tooLarge(limit)
		}
		return nil
	}
	var chunks [][]byte
	total := int64(0)
	for {
		chunk := make([]byte, min(readChunk, limit+1-total))
		n, err := io.ReadFull(r, chunk)
		chunks, total = append(chunks, chunk[:n]), total+int64(n)
		if total > limit {
			return tooLarge(limit)
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			return err
		}
	}
	sb.Grow(int(total))
	for _, c := range chunks {
		sb.Write(c)
	}
	return nil
}

// readChunk is the piece readLimited reads input of unknown size in: big
// enough for few allocations, small against MaxInputBytes.
const readChunk = 1 << 20

// tooLarge is ErrTooLarge with the limit in the user's terms.
func tooLarge(limit int64) error {
	return fmt.Errorf("%w of %s", ErrTooLarge, SizeText(limit))
}

// SizeText formats a byte count for messages: "20 MB", "1.5 MB" or
// "1500 bytes".
func SizeText(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d bytes", n)
}
