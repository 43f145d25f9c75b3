package notify

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/lullapp/lull/internal/store"
)

// The queue's write-ahead journal.
//
// A bbolt commit costs two fdatasyncs plus its page writes, which caps
// intake at a few thousand notifications a second however well Add groups
// them. So Add's groups are first appended to a small journal beside the
// database, one record per group and one fdatasync per record, and
// acknowledged as soon as that sync returns; the records are applied to
// bbolt later, many groups per transaction (see Queue.applyLocked). On open,
// the records bbolt has not yet got are applied before anything else runs,
// so an acknowledged notification survives kill -9 either way.
//
// The file is preallocated with zeros and overwritten from its start after
// every apply, so a sync flushes data only, never the file's size. A record
// is
//
//	magic [4]byte | length uint32 | crc32c(length, body) uint32 | body
//	body = lsn uint64 | op count uvarint | ops
//	op   = kind byte | bucket byte | (put: key, value as uvarint-prefixed bytes | seq: uvarint)
//
// with consecutive log sequence numbers (LSN). bbolt stores the last
// applied LSN (notify_meta "journal_lsn") in the same transaction as the
// records, so a record is applied exactly once.
//
// Reading does not stop at a bad record: it looks for the magic at every
// position and keeps every record whose checksum holds, so the records
// after a damaged one are still recovered (scanJournal). The magic starts
// with a byte JSON never writes (0xFF), so stored notification text cannot
// pose as a record. What a scan finds beyond the records bbolt has is
// checked against what must be there (journalCheck): the records after the
// applied LSN follow each other without a gap, and an intact journal always
// holds the last applied record or a later one (after every apply the
// applied record stays in the file until a later record is written; a
// fresh journal starts with an empty "anchor" record at the applied LSN).
// A journal that breaks these rules is damaged: what can be read is
// applied, a copy of the damaged file is kept beside it
// (…-notify-journal.damaged-<time>), the journal is started afresh, and
// the queue reports the problem with the positions (Queue.Problems).

// journalSize is the preallocated size of the journal file. A group that
// does not fit in an empty journal is committed to bbolt directly.
const journalSize = 4 << 20

// JournalSuffix is appended to the database path to name the journal
// (a database moved aside takes its journal along under the same suffix).
const JournalSuffix = "-notify-journal"

// damagedSuffix follows the journal's name in the copy kept of a damaged
// journal, before the time it was last written.
const damagedSuffix = ".damaged-"

// journalMagic starts every record. 0xFF never occurs in JSON text or
// UTF-8, so no notification text can contain it.
var journalMagic = [4]byte{0xFF, 'L', 'j', '2'}

// recordHeader is the size of a record's magic, length and checksum.
const recordHeader = 12

// minRecordBody is the smallest body: an LSN and an op count.
const minRecordBody = 9

// The journal's op kinds.
const (
	opPut byte = 1 // set key to value in the bucket
	opSeq byte = 2 // raise the bucket's sequence to at least seq
)

// journalBuckets are the buckets an op can name, by index.
var journalBuckets = [...][]byte{bucketQueue, bucketLog, bucketDays}

// Indexes into journalBuckets.
const (
	jbQueue byte = iota
	jbLog
	jbDays
)

// journalOp is one change to one bucket.
type journalOp struct {
	kind   byte
	bucket byte
	key    []byte
	value  []byte
	seq    uint64
}

// journalRecord is one group's ops under one LSN.
type journalRecord struct {
	lsn uint64
	ops []journalOp
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// recordChecksum covers a record's length field and body.
func recordChecksum(length, body []byte) uint32 {
	return crc32.Update(crc32.Checksum(length, castagnoli), castagnoli, body)
}

// encodeRecord appends r's on-disk form to dst.
func encodeRecord(dst []byte, r journalRecord) []byte {
	start := len(dst)
	dst = append(dst, journalMagic[:]...)
	dst = append(dst, 0, 0, 0, 0, 0, 0, 0, 0) // length and checksum, filled in below
	dst = binary.BigEndian.AppendUint64(dst, r.lsn)
	dst = binary.AppendUvarint(dst, uint64(len(r.ops)))
	for _, op := range r.ops {
		dst = append(dst, op.kind, op.bucket)
		switch op.kind {
		case opPut:
			dst = binary.AppendUvarint(dst, uint64(len(op.key)))
			dst = append(dst, op.key...)
			dst = binary.AppendUvarint(dst, uint64(len(op.value)))
			dst = append(dst, op.value...)
		case opSeq:
			dst = binary.AppendUvarint(dst, op.seq)
		}
	}
	body := dst[start+recordHeader:]
	binary.BigEndian.PutUint32(dst[start+4:], uint32(len(body)))
	binary.BigEndian.PutUint32(dst[start+8:], recordChecksum(dst[start+4:start+8], body))
	return dst
}

// Why a record that starts with the magic cannot be read.
var (
	errRecordCut      = errors.New("cut off by the end of the file")
	errRecordChecksum = errors.New("checksum mismatch")
	errRecordBad      = errors.New("malformed")
	errScanStopped    = errors.New("so many places look like entries that reading stopped here")
)

// scanBudget bounds a scan's checksum work to this many times the file's
// size. Each place that starts with the magic costs a checksum over the
// length it claims; an intact journal costs about one file's worth, and
// only a file crafted to be full of magic would run out, which must not
// stall Lull's start for hours.
const scanBudget = 64

// decodeRecord reads the record at the start of data (which starts with
// the magic) and returns it with its encoded length.
func decodeRecord(data []byte) (journalRecord, int, error) {
	if len(data) < recordHeader || !bytes.Equal(data[:4], journalMagic[:]) {
		return journalRecord{}, 0, errRecordCut
	}
	n := int(binary.BigEndian.Uint32(data[4:]))
	if n < minRecordBody || n > journalSize {
		return journalRecord{}, 0, errRecordBad
	}
	if n > len(data)-recordHeader {
		return journalRecord{}, 0, errRecordCut
	}
	body := data[recordHeader : recordHeader+n]
	if recordChecksum(data[4:8], body) != binary.BigEndian.Uint32(data[8:]) {
		return journalRecord{}, 0, errRecordChecksum
	}
	r, ok := decodeBody(body)
	if !ok {
		return journalRecord{}, 0, errRecordBad
	}
	return r, recordHeader + n, nil
}

// decodeBody parses a record body whose checksum held.
func decodeBody(body []byte) (journalRecord, bool) {
	r := journalRecord{lsn: binary.BigEndian.Uint64(body)}
	p := body[8:]
	count, k := binary.Uvarint(p)
	if k <= 0 || count > uint64(len(p)) {
		return journalRecord{}, false
	}
	p = p[k:]
	r.ops = make([]journalOp, 0, count)
	for range count {
		if len(p) < 2 || int(p[1]) >= len(journalBuckets) {
			return journalRecord{}, false
		}
		op := journalOp{kind: p[0], bucket: p[1]}
		p = p[2:]
		switch op.kind {
		case opPut:
			var ok bool
			if op.key, p, ok = uvarintBytes(p); !ok || len(op.key) == 0 {
				return journalRecord{}, false
			}
			if op.value, p, ok = uvarintBytes(p); !ok {
				return journalRecord{}, false
			}
		case opSeq:
			v, k := binary.Uvarint(p)
			if k <= 0 {
				return journalRecord{}, false
			}
			op.seq, p = v, p[k:]
		default:
			return journalRecord{}, false
		}
		r.ops = append(r.ops, op)
	}
	if len(p) != 0 {
		return journalRecord{}, false
	}
	return r, true
}

// uvarintBytes splits a uvarint-prefixed byte string off p.
func uvarintBytes(p []byte) (b, rest []byte, ok bool) {
	n, k := binary.Uvarint(p)
	if k <= 0 || n > uint64(len(p)-k) {
		return nil, p, false
	}
	return p[k : k+int(n)], p[k+int(n):], true
}

// foundRecord is a record a scan read, with where it starts.
type foundRecord struct {
	journalRecord
	off int
}

// badRecord is a place that starts with the magic but holds no readable
// record.
type badRecord struct {
	off int
	err error
}

// journalScan is what a scan of the whole file found.
type journalScan struct {
	records []foundRecord // in file order
	bad     []badRecord   // in file order
}

// scanJournal reads every record in data, wherever it starts: a damaged
// record does not hide the ones after it. A place that starts with the
// magic but is no record is reported in bad, unless it lies inside a
// record already read or inside the extent a bad record's own length
// claims (one damage, one report).
func scanJournal(data []byte) journalScan {
	var s journalScan
	covered := 0 // bad places before this offset are part of an earlier find
	budget := scanBudget * len(data)
	for off := 0; off+len(journalMagic) <= len(data); {
		i := bytes.Index(data[off:], journalMagic[:])
		if i < 0 {
			break
		}
		off += i
		if off+8 <= len(data) {
			if n := int(binary.BigEndian.Uint32(data[off+4:])); n <= len(data)-off-recordHeader {
				budget -= n // what its checksum will cost
			}
		}
		if budget < 0 {
			s.bad = append(s.bad, badRecord{off: off, err: errScanStopped})
			break
		}
		r, n, err := decodeRecord(data[off:])
		switch {
		case err == nil:
			s.records = append(s.records, foundRecord{journalRecord: r, off: off})
			covered = max(covered, off+n)
		case off >= covered:
			s.bad = append(s.bad, badRecord{off: off, err: err})
			if off+8 <= len(data) {
				if n := int(binary.BigEndian.Uint32(data[off+4:])); n >= minRecordBody && n <= journalSize {
					covered = max(covered, off+recordHeader+n)
				}
			}
		}
		off++
	}
	return s
}

// journalCheck is what opening the journal decided.
type journalCheck struct {
	// apply are the records bbolt has not got, in LSN order.
	apply []journalRecord
	// last is the LSN the next record follows.
	last uint64
	// damage lists what is wrong, in words for the user; empty when the
	// journal is sound.
	damage []string
	// lost is true when acknowledged notifications may be missing (not
	// only a damaged copy kept): the ID sequence then skips ahead.
	lost bool
}

// checkJournal compares a scan (size is the file's length; missing when
// there is no file) with what bbolt says: applied is the last applied
// LSN, clean that the last run closed the journal with nothing pending.
// It fails only for a journal newer than the database (restored from an
// older copy), which Lull does not guess about.
func checkJournal(s journalScan, size int64, missing bool, applied uint64, clean bool, path string) (journalCheck, error) {
	c := journalCheck{last: applied}
	// The records bbolt lacks, first occurrence of each LSN.
	seen := map[uint64]bool{}
	var first *foundRecord
	evidence := applied == 0
	for i := range s.records {
		r := &s.records[i]
		if r.lsn >= applied {
			evidence = true
		}
		if r.lsn <= applied || seen[r.lsn] {
			continue
		}
		seen[r.lsn] = true
		if first == nil {
			first = r
		}
		c.apply = append(c.apply, r.journalRecord)
	}
	sort.Slice(c.apply, func(i, j int) bool { return c.apply[i].lsn < c.apply[j].lsn })
	if first != nil && first.off == 0 && c.apply[0].lsn > applied+1 {
		return c, olderDatabase(path, c.apply[0].lsn, applied)
	}
	if n := len(c.apply); n > 0 {
		c.last = c.apply[n-1].lsn
	}
	if missing {
		if applied > 0 && !clean {
			c.damage = append(c.damage, "the file is missing, and Lull did not close it the last time")
			c.lost = true
		}
		return c, nil
	}
	// The last run left nothing pending: whatever happened to the file
	// since, nothing acknowledged is in it. Its damage is still reported,
	// and a copy kept.
	quiet := clean && len(c.apply) == 0
	if size != journalSize {
		c.damage = append(c.damage, fmt.Sprintf("it is %s long instead of %s: it was cut short", byteSize(size), byteSize(journalSize)))
	}
	for _, b := range s.bad {
		// An intact journal has no such place: records are only ever
		// overwritten from their start, so what is left of an older one
		// has lost its magic. This is damage, or a record torn by a power
		// loss while it was written.
		c.damage = append(c.damage, fmt.Sprintf("the entry at byte %d cannot be read (%v)", b.off, b.err))
	}
	if quiet {
		if len(c.damage) > 0 {
			c.damage = append(c.damage, "but Lull had closed it with nothing in it that the database lacked, so nothing is lost")
		}
		return c, nil
	}
	c.lost = len(c.damage) > 0
	var gaps []string
	missingN := uint64(0)
	next := applied + 1
	for _, r := range c.apply {
		if r.lsn > next {
			gaps = append(gaps, lsnRange(next, r.lsn-1))
			missingN += r.lsn - next
		}
		next = r.lsn + 1
	}
	switch {
	case missingN == 1:
		c.damage = append(c.damage, "entry "+gaps[0]+" is missing")
	case missingN > 1:
		c.damage = append(c.damage, "entries "+strings.Join(gaps, ", ")+" are missing")
	}
	if missingN > 0 {
		c.lost = true
	}
	if !evidence {
		c.damage = append(c.damage, fmt.Sprintf("it no longer holds entry %d, the last one the database applied, nor any later one: it was emptied or replaced", applied))
		c.lost = true
	}
	return c, nil
}

// olderDatabase is the refusal of a journal that continues beyond a gap
// after the database's last applied entry: the database was put back
// from an older copy.
func olderDatabase(path string, first, applied uint64) error {
	return fmt.Errorf("journal %s continues at record %d but the database ends at record %d: the database is older than the journal (restored from a backup?); "+
		"Lull does not guess, move the journal aside to start without the notifications it holds", path, first, applied)
}

func lsnRange(a, b uint64) string {
	if a == b {
		return fmt.Sprint(a)
	}
	return fmt.Sprintf("%d–%d", a, b)
}

// byteSize says n bytes in the unit a person reads.
func byteSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// journal is the open journal file.
type journal struct {
	f    *os.File
	path string
	off  int64  // where the next record goes
	last uint64 // LSN of the last record written or applied
	buf  []byte
}

// openedJournal is the journal file as found at open.
type openedJournal struct {
	j       *journal
	data    []byte // its content (nil when it was missing)
	missing bool
	mtime   time.Time
}

// openJournal opens the journal at path, creating a preallocated one when
// there is none, locks it and reads it whole.
func openJournal(path string) (openedJournal, error) {
	var o openedJournal
	if _, err := os.Lstat(path); errors.Is(err, os.ErrNotExist) {
		o.missing = true
		if err := createJournal(path); err != nil {
			return o, err
		}
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0o600)
	if err != nil {
		return o, fmt.Errorf("notification journal: %w", err)
	}
	if err := lockJournal(f); err != nil {
		f.Close()
		return o, fmt.Errorf("notification journal %s is in use by another queue on this database: %w", path, err)
	}
	o.j = &journal{f: f, path: path}
	if fi, err := f.Stat(); err == nil {
		o.mtime = fi.ModTime()
	}
	if !o.missing {
		if o.data, err = io.ReadAll(f); err != nil {
			f.Close()
			return o, fmt.Errorf("notification journal %s: %w", path, err)
		}
	}
	return o, nil
}

// createJournal makes a new journal at path in one step (preallocated in
// a temporary file, then renamed), so a crash never leaves a short one.
func createJournal(path string) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".new*")
	if err != nil {
		return fmt.Errorf("notification journal: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	err = preallocate(tmp, 0)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("notification journal %s: create: %w", path, err)
	}
	store.SyncDir(dir)
	return nil
}

// preallocate writes real zeros from offset from to journalSize and syncs:
// writing into a hole would allocate blocks, and then every sync would
// also commit file-system metadata.
func preallocate(f *os.File, from int64) error {
	if from < journalSize {
		if _, err := f.WriteAt(make([]byte, journalSize-from), from); err != nil {
			return err
		}
	}
	if err := f.Truncate(journalSize); err != nil {
		return err
	}
	return f.Sync()
}

// keepDamaged copies the damaged journal's content beside it, named for
// when it was last written, and returns the copy's path. It never
// replaces an existing file.
func keepDamaged(path string, data []byte, written time.Time) (string, error) {
	base := path + damagedSuffix + written.Local().Format("20060102-150405")
	for i := 1; ; i++ {
		name := base
		if i > 1 {
			name = fmt.Sprintf("%s-%d", base, i)
		}
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, os.ErrExist) {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("keep a copy of the damaged notification journal: %w", err)
		}
		_, err = f.Write(data)
		if err == nil {
			err = f.Sync()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(name)
			return "", fmt.Errorf("keep a copy of the damaged notification journal in %s: %w", name, err)
		}
		store.SyncDir(filepath.Dir(name))
		return name, nil
	}
}

// restart empties the journal (zeros at its full size) and writes an
// empty anchor record at lsn, the last applied one, so the fresh journal
// holds the evidence an intact journal always has. The next record goes
// over the anchor.
func (j *journal) restart(lsn uint64) error {
	j.buf = encodeRecord(j.buf[:0], journalRecord{lsn: lsn})
	if err := preallocate(j.f, 0); err != nil {
		return fmt.Errorf("notification journal %s: start afresh: %w", j.path, err)
	}
	if _, err := j.f.WriteAt(j.buf, 0); err != nil {
		return fmt.Errorf("notification journal %s: start afresh: %w", j.path, err)
	}
	if err := fdatasync(j.f); err != nil {
		return fmt.Errorf("notification journal %s: start afresh: %w", j.path, err)
	}
	j.off, j.last = 0, lsn
	return nil
}

// fits reports whether a record of n bytes fits after the current offset.
func (j *journal) fits(n int) bool { return j.off+int64(n) <= journalSize }

// append writes ops as the next record and syncs it; when it returns nil
// the record survives a crash.
func (j *journal) append(ops []journalOp) (journalRecord, error) {
	r := journalRecord{lsn: j.last + 1, ops: ops}
	j.buf = encodeRecord(j.buf[:0], r)
	if !j.fits(len(j.buf)) {
		return journalRecord{}, fmt.Errorf("notification journal %s: record of %d bytes does not fit", j.path, len(j.buf))
	}
	if _, err := j.f.WriteAt(j.buf, j.off); err != nil {
		return journalRecord{}, fmt.Errorf("notification journal %s: %w", j.path, err)
	}
	if err := fdatasync(j.f); err != nil {
		return journalRecord{}, fmt.Errorf("notification journal %s: sync: %w", j.path, err)
	}
	j.off += int64(len(j.buf))
	j.last = r.lsn
	return r, nil
}

// encodedSize is the size ops would take as one record.
func encodedSize(ops []journalOp) int {
	n := recordHeader + 8 + binary.MaxVarintLen64
	for _, op := range ops {
		n += 2 + 2*binary.MaxVarintLen64 + len(op.key) + len(op.value)
	}
	return n
}

// rewind makes the next record go to the start of the file; call it only
// when every record written is applied (and that is committed in bbolt).
func (j *journal) rewind() { j.off = 0 }

func (j *journal) close() error { return j.f.Close() }
