package store

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"io"
	"os"
)

// Before bbolt maps a file into memory, Lull reads it with ordinary reads
// and checks what bbolt would otherwise trust blindly: bbolt reaches pages
// through the memory map by number, without bounds checks, so a file cut
// short or a damaged page number makes it read past the end of the file,
// which is a fatal fault (SIGBUS or SIGSEGV), not a panic anything could
// recover. checkHeader runs before bbolt opens the file (the meta pages,
// the file's size against the page count they give, the freelist page
// bbolt loads at open); checkTree runs after, under bbolt's lock, and
// walks every page the bucket tree reaches (type, number, bounds of every
// element). Only then does bbolt's own consistency check (Tx.Check) run,
// which trusts page numbers too.
//
// The layout read here is bbolt's file format, version 2 (go.etcd.io/bbolt
// internal/common): pages of pageSize bytes, each with a 16-byte header
// (id uint64, flags uint16, count uint16, overflow uint32) in the
// machine's byte order.

// Page flags and the bucket flag of a leaf element.
const (
	branchPage   = 0x01
	leafPage     = 0x02
	metaPage     = 0x04
	freelistPage = 0x10
	bucketLeaf   = 0x01
)

const (
	pageHeaderSize   = 16
	elemSize         = 16 // branch: pos uint32, ksize uint32, pgid uint64; leaf: flags, pos, ksize, vsize uint32
	bucketHeaderSize = 16 // root pgid uint64, sequence uint64
	metaSize         = 64 // magic, version, pageSize, flags uint32; root bucket; freelist, pgid, txid, checksum uint64
	metaSumSize      = 56 // the bytes the meta checksum covers
	boltMagic        = 0xED0CDAED
	boltVersion      = 2
	noFreelist       = ^uint64(0)
)

// Page sizes bbolt can write: from the smallest OS page to the largest
// (64 KiB on some arm64 and ppc64 systems).
const (
	minPageSize = 1 << 10
	maxPageSize = 1 << 16
)

// maxTreeDepth bounds the walk: a bbolt tree of a few hundred million
// keys is under 10 levels deep, and a loop in a damaged file must not
// recurse without end.
const maxTreeDepth = 64

var native = binary.NativeEndian

// damage is what a check found: wrapped into a *DamagedError by Open.
type damage struct{ what string }

func (d *damage) Error() string { return d.what }

func damagef(format string, a ...any) error { return &damage{fmt.Sprintf(format, a...)} }

// fileMeta is the part of a meta page the checks use.
type fileMeta struct {
	pageSize uint32
	root     uint64
	freelist uint64
	pages    uint64 // the high-water mark: pages in use
	txid     uint64
	// oneInvalid is set when the other meta page is invalid: what a
	// crash while bbolt wrote it leaves, which bbolt's next commit mends
	// (it writes the page that is not in use), but which its consistency
	// check does not get past.
	oneInvalid bool
}

// parseMeta reads the meta at the start of b (after the page header).
func parseMeta(b []byte) (fileMeta, bool) {
	if len(b) < metaSize || native.Uint32(b) != boltMagic || native.Uint32(b[4:]) != boltVersion {
		return fileMeta{}, false
	}
	h := fnv.New64a()
	h.Write(b[:metaSumSize])
	if h.Sum64() != native.Uint64(b[metaSumSize:]) {
		return fileMeta{}, false
	}
	return fileMeta{pageSize: native.Uint32(b[8:]), root: native.Uint64(b[16:]), freelist: native.Uint64(b[32:]),
		pages: native.Uint64(b[40:]), txid: native.Uint64(b[48:])}, true
}

// chooseMeta reads both meta pages and returns the one bbolt will use:
// the valid one with the higher transaction ID.
func chooseMeta(f io.ReaderAt) (fileMeta, error) {
	head := make([]byte, pageHeaderSize+metaSize)
	var best fileMeta
	found, valid := false, 0
	if _, err := f.ReadAt(head, 0); err == nil {
		best, found = parseMeta(head[pageHeaderSize:])
	}
	if found {
		valid++
	}
	// The second meta page follows the first, at the page size that one
	// gives; when it is unreadable, at any page size bbolt can write.
	for _, ps := range candidatePageSizes(best, found) {
		if _, err := f.ReadAt(head, int64(ps)); err != nil {
			continue
		}
		if m1, ok := parseMeta(head[pageHeaderSize:]); ok && m1.pageSize == ps {
			if !found || m1.txid > best.txid {
				best = m1
			}
			found = true
			valid++
			break
		}
	}
	if !found {
		return best, damagef("both copies of its header are unreadable")
	}
	best.oneInvalid = valid == 1
	return best, nil
}

// checkHeader checks, with ordinary reads, what bbolt reads through its
// memory map while it opens f: a valid meta page (the one bbolt will
// use), a file at least as long as the pages it says are in use, and a
// freelist page within them. It returns that meta, and nothing for an
// empty file (bbolt makes a new one).
func checkHeader(f *os.File) (fileMeta, error) {
	fi, err := f.Stat()
	if err != nil {
		return fileMeta{}, err
	}
	size := uint64(fi.Size())
	if size == 0 {
		return fileMeta{}, nil
	}
	if size < pageHeaderSize+metaSize {
		return fileMeta{}, damagef("it is %d bytes long, too short for a database header", size)
	}
	m, err := chooseMeta(f)
	if err != nil {
		return m, err
	}
	ps := uint64(m.pageSize)
	if ps < minPageSize || ps > maxPageSize || ps&(ps-1) != 0 {
		return m, damagef("its header gives an impossible page size of %d bytes", ps)
	}
	if m.pages < 2 {
		return m, damagef("its header gives an impossible page count of %d", m.pages)
	}
	if m.pages > size/ps {
		return m, damagef("it is %d bytes long, but its header says it holds %d pages of %d bytes: it was cut short", size, m.pages, ps)
	}
	if m.root < 2 || m.root >= m.pages {
		return m, damagef("its header points to page %d for the data, outside the %d pages in use", m.root, m.pages)
	}
	if m.freelist == noFreelist {
		return m, nil
	}
	if m.freelist < 2 || m.freelist >= m.pages {
		return m, damagef("its header points to page %d for the free-page list, outside the %d pages in use", m.freelist, m.pages)
	}
	p, err := readPage(f, m, m.freelist, nil)
	if err != nil {
		return m, err
	}
	if p.flags != freelistPage {
		return m, damagef("page %d should hold the free-page list but has type %#x", m.freelist, p.flags)
	}
	count, start := uint64(p.count), uint64(pageHeaderSize)
	if p.count == 0xFFFF {
		count, start = native.Uint64(p.data[pageHeaderSize:]), pageHeaderSize+8
	}
	if count > (uint64(len(p.data))-start)/8 {
		return m, damagef("page %d (free-page list) claims %d entries, more than it can hold", m.freelist, count)
	}
	for i := range count {
		if id := native.Uint64(p.data[start+8*i:]); id < 2 || id >= m.pages {
			return m, damagef("page %d (free-page list) names page %d, outside the %d pages in use", m.freelist, id, m.pages)
		}
	}
	return m, nil
}

// candidatePageSizes are where to look for the second meta page.
func candidatePageSizes(m0 fileMeta, ok0 bool) []uint32 {
	if ok0 {
		return []uint32{m0.pageSize}
	}
	out := []uint32{uint32(os.Getpagesize())}
	for ps := uint32(minPageSize); ps <= maxPageSize; ps *= 2 {
		out = append(out, ps)
	}
	return out
}

// page is one page read from the file, with its overflow pages.
type page struct {
	id       uint64
	flags    uint16
	count    uint16
	overflow uint32
	data     []byte // the whole page, header included
}

// readPage reads page id (which must be below the pages in use) and its
// overflow pages, checking that it is where its header says. buf, when
// it holds a page size, is used for a page without overflow.
func readPage(f io.ReaderAt, m fileMeta, id uint64, buf []byte) (page, error) {
	ps := uint64(m.pageSize)
	if uint64(len(buf)) != ps {
		buf = make([]byte, ps)
	}
	if _, err := f.ReadAt(buf, int64(id*ps)); err != nil {
		return page{}, damagef("page %d cannot be read: %v", id, err)
	}
	p := page{id: native.Uint64(buf), flags: native.Uint16(buf[8:]), count: native.Uint16(buf[10:]), overflow: native.Uint32(buf[12:]), data: buf}
	if p.id != id {
		return page{}, damagef("page %d calls itself page %d", id, p.id)
	}
	if id+uint64(p.overflow) >= m.pages {
		return page{}, damagef("page %d runs over %d more pages, past the %d pages in use", id, p.overflow, m.pages)
	}
	if p.overflow > 0 {
		p.data = make([]byte, (uint64(p.overflow)+1)*ps)
		copy(p.data, buf)
		if _, err := f.ReadAt(p.data[ps:], int64((id+1)*ps)); err != nil {
			return page{}, damagef("page %d cannot be read: %v", id, err)
		}
	}
	return p, nil
}

// treeCheck walks the bucket tree.
type treeCheck struct {
	f    io.ReaderAt
	m    fileMeta
	seen map[uint64]bool
	// bufs holds one page buffer per tree level: a page is done with
	// before the next one on its level is read.
	bufs [][]byte
}

// checkTree walks every page the bucket tree of the file reaches, from
// the root bucket down, and checks each page's number, type and element
// bounds; f is the file (read with ordinary reads), m its meta as
// checkHeader chose it.
func checkTree(f io.ReaderAt, m fileMeta) error {
	c := &treeCheck{f: f, m: m, seen: map[uint64]bool{}}
	return c.bucketPage(m.root, 0)
}

// bucketPage checks the subtree of a bucket rooted at page id.
func (c *treeCheck) bucketPage(id uint64, depth int) error {
	if depth > maxTreeDepth {
		return damagef("page %d lies deeper than any real database goes (a loop?)", id)
	}
	if id < 2 || id >= c.m.pages {
		return damagef("a page refers to page %d, outside the %d pages in use", id, c.m.pages)
	}
	if c.seen[id] {
		return damagef("page %d is referred to twice", id)
	}
	c.seen[id] = true
	for len(c.bufs) <= depth {
		c.bufs = append(c.bufs, make([]byte, c.m.pageSize))
	}
	p, err := readPage(c.f, c.m, id, c.bufs[depth])
	if err != nil {
		return err
	}
	for i := range p.overflow {
		c.seen[id+1+uint64(i)] = true
	}
	return c.elements(p, depth)
}

// elements checks the elements of a branch or leaf page p (also an
// inline bucket's page) and descends into what they refer to.
func (c *treeCheck) elements(p page, depth int) error {
	if p.flags != branchPage && p.flags != leafPage {
		return damagef("page %d has the unexpected type %#x where the tree needs a branch or leaf page", p.id, p.flags)
	}
	n := int(p.count)
	if pageHeaderSize+n*elemSize > len(p.data) {
		return damagef("page %d claims %d entries, more than it can hold", p.id, n)
	}
	for i := range n {
		e := p.data[pageHeaderSize+i*elemSize:]
		at := pageHeaderSize + i*elemSize // where the element starts; pos counts from there
		if p.flags == branchPage {
			pos, ksize, child := native.Uint32(e), native.Uint32(e[4:]), native.Uint64(e[8:])
			if uint64(at)+uint64(pos)+uint64(ksize) > uint64(len(p.data)) {
				return damagef("page %d: entry %d lies outside the page", p.id, i)
			}
			if err := c.bucketPage(child, depth+1); err != nil {
				return err
			}
			continue
		}
		flags, pos, ksize, vsize := native.Uint32(e), native.Uint32(e[4:]), native.Uint32(e[8:]), native.Uint32(e[12:])
		kstart := uint64(at) + uint64(pos)
		vend := kstart + uint64(ksize) + uint64(vsize)
		if vend > uint64(len(p.data)) {
			return damagef("page %d: entry %d lies outside the page", p.id, i)
		}
		if flags&bucketLeaf == 0 {
			continue
		}
		v := p.data[kstart+uint64(ksize) : vend]
		if len(v) < bucketHeaderSize {
			return damagef("page %d: entry %d should hold a bucket but is too short", p.id, i)
		}
		root := native.Uint64(v)
		if root != 0 {
			if err := c.bucketPage(root, depth+1); err != nil {
				return err
			}
			continue
		}
		// An inline bucket: a page inside the value.
		in := v[bucketHeaderSize:]
		if len(in) < pageHeaderSize {
			return damagef("page %d: entry %d holds a bucket that is cut short", p.id, i)
		}
		ip := page{id: p.id, flags: native.Uint16(in[8:]), count: native.Uint16(in[10:]), data: in}
		if ip.flags != leafPage {
			return damagef("page %d: entry %d holds a bucket of unexpected type %#x", p.id, i, ip.flags)
		}
		if depth+1 > maxTreeDepth {
			return damagef("page %d lies deeper than any real database goes (a loop?)", p.id)
		}
		if err := c.elements(ip, depth+1); err != nil {
			return err
		}
	}
	return nil
}
