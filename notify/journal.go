package notify

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
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
//	length uint32 | crc32c(body) uint32 | body
//	body = lsn uint64 | op count uvarint | ops
//	op   = kind byte | bucket byte | (put: key, value as uvarint-prefixed bytes | seq: uvarint)
//
// with consecutive log sequence numbers (LSN). Reading stops at the first
// record that is zero, torn (bad checksum), malformed or out of sequence:
// what follows it is either never-acknowledged tail or older, already
// applied records from before the last rewind. bbolt stores the last
// applied LSN (notify_meta "journal_lsn") in the same transaction as the
// records, so a record is applied exactly once.

// journalSize is the preallocated size of the journal file. A group that
// does not fit in an empty journal is committed to bbolt directly.
const journalSize = 4 << 20

// journalSuffix is appended to the database path to name the journal.
const journalSuffix = "-notify-journal"

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

// encodeRecord appends r's on-disk form to dst.
func encodeRecord(dst []byte, r journalRecord) []byte {
	start := len(dst)
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
	body := dst[start+8:]
	binary.BigEndian.PutUint32(dst[start:], uint32(len(body)))
	binary.BigEndian.PutUint32(dst[start+4:], crc32.Checksum(body, castagnoli))
	return dst
}

// errRecordEnd ends reading: a zero, torn or malformed record.
var errRecordEnd = errors.New("end of journal")

// decodeRecord reads the record at the start of data and returns it with
// its encoded length.
func decodeRecord(data []byte) (journalRecord, int, error) {
	if len(data) < 8 {
		return journalRecord{}, 0, errRecordEnd
	}
	n := int(binary.BigEndian.Uint32(data))
	if n < 9 || n > len(data)-8 {
		return journalRecord{}, 0, errRecordEnd
	}
	body := data[8 : 8+n]
	if crc32.Checksum(body, castagnoli) != binary.BigEndian.Uint32(data[4:]) {
		return journalRecord{}, 0, errRecordEnd
	}
	r := journalRecord{lsn: binary.BigEndian.Uint64(body)}
	p := body[8:]
	count, k := binary.Uvarint(p)
	if k <= 0 || count > uint64(len(p)) {
		return journalRecord{}, 0, errRecordEnd
	}
	p = p[k:]
	r.ops = make([]journalOp, 0, count)
	for range count {
		if len(p) < 2 || int(p[1]) >= len(journalBuckets) {
			return journalRecord{}, 0, errRecordEnd
		}
		op := journalOp{kind: p[0], bucket: p[1]}
		p = p[2:]
		switch op.kind {
		case opPut:
			var ok bool
			if op.key, p, ok = uvarintBytes(p); !ok || len(op.key) == 0 {
				return journalRecord{}, 0, errRecordEnd
			}
			if op.value, p, ok = uvarintBytes(p); !ok {
				return journalRecord{}, 0, errRecordEnd
			}
		case opSeq:
			v, k := binary.Uvarint(p)
			if k <= 0 {
				return journalRecord{}, 0, errRecordEnd
			}
			op.seq, p = v, p[k:]
		default:
			return journalRecord{}, 0, errRecordEnd
		}
		r.ops = append(r.ops, op)
	}
	if len(p) != 0 {
		return journalRecord{}, 0, errRecordEnd
	}
	return r, 8 + n, nil
}

// uvarintBytes splits a uvarint-prefixed byte string off p.
func uvarintBytes(p []byte) (b, rest []byte, ok bool) {
	n, k := binary.Uvarint(p)
	if k <= 0 || n > uint64(len(p)-k) {
		return nil, p, false
	}
	return p[k : k+int(n)], p[k+int(n):], true
}

// readRecords returns the run of consecutive records at the start of data.
func readRecords(data []byte) []journalRecord {
	var out []journalRecord
	for off := 0; off < len(data); {
		r, n, err := decodeRecord(data[off:])
		if err != nil || (len(out) > 0 && r.lsn != out[len(out)-1].lsn+1) {
			break
		}
		out = append(out, r)
		off += n
	}
	return out
}

// journal is the open journal file.
type journal struct {
	f    *os.File
	path string
	off  int64  // where the next record goes
	last uint64 // LSN of the last record written or applied
	buf  []byte
}

// openJournal opens (creating and preallocating when missing or short) the
// journal at path and returns it with the records it holds.
func openJournal(path string) (*journal, []journalRecord, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("notification journal: %w", err)
	}
	if err := lockJournal(f); err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("notification journal %s is in use by another queue on this database: %w", path, err)
	}
	j := &journal{f: f, path: path}
	data, err := io.ReadAll(f)
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("notification journal %s: %w", path, err)
	}
	recs := readRecords(data)
	if len(data) < journalSize {
		// Real zeros, not a hole: writing into a hole allocates blocks, and
		// then every sync also commits file-system metadata.
		if _, err := f.WriteAt(make([]byte, journalSize-len(data)), int64(len(data))); err != nil {
			f.Close()
			return nil, nil, fmt.Errorf("notification journal %s: preallocate: %w", path, err)
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return nil, nil, fmt.Errorf("notification journal %s: %w", path, err)
		}
		syncDir(filepath.Dir(path))
	}
	return j, recs, nil
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
	n := 8 + 8 + binary.MaxVarintLen64
	for _, op := range ops {
		n += 2 + 2*binary.MaxVarintLen64 + len(op.key) + len(op.value)
	}
	return n
}

// rewind makes the next record go to the start of the file; call it only
// when every record written is applied (and that is committed in bbolt).
func (j *journal) rewind() { j.off = 0 }

func (j *journal) close() error { return j.f.Close() }

// syncDir makes a newly created file's directory entry durable; failure
// only weakens durability of the file's creation, so it is not an error.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}
