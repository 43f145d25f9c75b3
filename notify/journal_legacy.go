package notify

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
)

// Journals written before the record magic (Lull 0.x) framed a record as
//
//	length uint32 | crc32c(body) uint32 | body
//
// with the same body. A crash just before an upgrade can leave records in
// that form that bbolt lacks; they are read once, the first time the new
// version opens the journal, which then starts it afresh in the new form.

// legacyRecords returns the run of consecutive old-form records at the
// start of data; none when data starts with the current magic.
func legacyRecords(data []byte) []journalRecord {
	if len(data) >= len(journalMagic) && bytes.Equal(data[:len(journalMagic)], journalMagic[:]) {
		return nil
	}
	var out []journalRecord
	for off := 0; off+8 <= len(data); {
		p := data[off:]
		n := int(binary.BigEndian.Uint32(p))
		if n < minRecordBody || n > len(p)-8 {
			break
		}
		body := p[8 : 8+n]
		if crc32.Checksum(body, castagnoli) != binary.BigEndian.Uint32(p[4:]) {
			break
		}
		r, ok := decodeBody(body)
		if !ok || (len(out) > 0 && r.lsn != out[len(out)-1].lsn+1) {
			break
		}
		out = append(out, r)
		off += 8 + n
	}
	return out
}
